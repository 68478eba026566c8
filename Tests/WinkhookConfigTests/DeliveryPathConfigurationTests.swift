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
            [spool]
            acknowledge = "spool"
            """ + "\n" + Self.minimal)
        #expect(set.acknowledge == .spool && set.deadlineSeconds == 4 && !set.preparedStatements)
        for (text, complaint) in [
            ("[spool]\nacknowledge = \"later\"", "spool.acknowledge"),
            ("[server]\ndeadline = 30", "server.deadline"),
            ("[server]\ndeadline = 1", "server.deadline"),
            ("[database]\nprepared_statements = \"no\"", "prepared_statements"),
        ] {
            let error = #expect(throws: ConfigurationError.self) { try parse(text + "\n" + Self.minimal) }
            #expect(error?.description.contains(complaint) == true, "\(String(describing: error))")
        }
    }
}
