import Testing

@testable import WinkhookConfig

extension ConfigurationLoaderTests {
    static let minimal = """
        [[webhook]]
        name = "wink"
        path = "/webhook/wink"
        [webhook.verify]
        secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        """

    @Test func acknowledgeDeadlineAndPreparedStatementsHaveSafeDefaultsAndBounds() throws {
        let defaults = try parse(Self.minimal)
        #expect(defaults.acknowledge == .commit && defaults.deadlineSeconds == 10 && defaults.preparedStatements)
        let set = try parse(
            """
            [database]
            prepared_statements = false
            [server]
            deadline = 4
            group_limit = 1
            [spool]
            acknowledge = "spool"
            """ + "\n" + Self.minimal)
        #expect(set.acknowledge == .spool && set.deadlineSeconds == 4 && !set.preparedStatements)
        #expect(set.groupLimit == 1 && defaults.groupLimit == 8)
        for (text, complaint) in [
            ("[spool]\nacknowledge = \"later\"", "spool.acknowledge"),
            ("[server]\ndeadline = 30", "server.deadline"),
            ("[server]\ndeadline = 1", "server.deadline"),
            ("[server]\ngroup_limit = 0", "server.group_limit"),
            ("[server]\ngroup_limit = 65", "server.group_limit"),
            ("[database]\nprepared_statements = \"no\"", "prepared_statements"),
        ] {
            let error = #expect(throws: ConfigurationError.self) { try parse(text + "\n" + Self.minimal) }
            #expect(error?.description.contains(complaint) == true, "\(String(describing: error))")
        }
    }
}

extension ConfigurationLoaderTests {
    @Test func retentionAndMaintenanceDefaultToKeepingEverythingAndAPassAMinute() throws {
        let defaults = try parse(Self.minimal).maintenance
        #expect(defaults == MaintenanceSettings(retentionDays: nil, dedupeDays: nil, intervalSeconds: 60))
        let kept = try parse("[retention]\ndays = 90\n[maintenance]\ninterval = 0\n" + Self.minimal).maintenance
        #expect(kept == MaintenanceSettings(retentionDays: 90, dedupeDays: 90, intervalSeconds: 0))
        let horizon = try parse("[retention]\ndays = 90\ndedupe_days = 400\n" + Self.minimal).maintenance
        #expect(horizon.dedupeDays == 400)
        for (text, complaint) in [
            ("[retention]\ndays = 0", "retention.days"),
            ("[retention]\nkeep = 3", "unknown key retention.keep"),
            ("[maintenance]\ninterval = 2", "maintenance.interval"),
            ("[maintenance]\ninterval = \"1m\"", "maintenance.interval"),
        ] {
            let error = #expect(throws: ConfigurationError.self) { try parse(text + "\n" + Self.minimal) }
            #expect(error?.description.contains(complaint) == true, "\(String(describing: error))")
        }
    }
}
