import Foundation
import Testing

@testable import PostgresStore

/// What `make test` (scripts/test) provides: the built binary, nginx routing to a unix socket, a database.
/// Under `CI=true` anything missing is a failure, never a skip.
struct E2EEnvironment {
    let binary: String
    let nginxURL: String
    let socket: String
    let databaseURL: String
    let runDirectory: String

    static let variables = ProcessInfo.processInfo.environment
    static let isCI = variables["CI"] == "true"
    static var available: Bool { isCI || variables["WINKHOOK_TEST_NGINX_URL"] != nil }

    /// The second nginx server and socket (for a suite that runs beside the others).
    func second() throws -> E2EEnvironment {
        func value(_ name: String) throws -> String {
            try #require(E2EEnvironment.variables[name], "\(name) is not set: run the tests with `make test`")
        }
        return E2EEnvironment(
            binary: binary, nginxURL: try value("WINKHOOK_TEST_AUTH_NGINX_URL"),
            socket: try value("WINKHOOK_TEST_AUTH_SOCKET"), databaseURL: databaseURL, runDirectory: runDirectory)
    }

    static func require() throws -> E2EEnvironment {
        func value(_ name: String) throws -> String {
            try #require(variables[name], "\(name) is not set: run the tests with `make test`")
        }
        let environment = E2EEnvironment(
            binary: try value("WINKHOOK_TEST_BINARY"), nginxURL: try value("WINKHOOK_TEST_NGINX_URL"),
            socket: try value("WINKHOOK_TEST_SOCKET"), databaseURL: try value("WINKHOOK_TEST_E2E_DATABASE_URL"),
            runDirectory: try value("WINKHOOK_TEST_RUN_DIR"))
        try #require(
            FileManager.default.isExecutableFile(atPath: environment.binary), "no binary at \(environment.binary)")
        return environment
    }

    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    /// A configuration file for one test; returns its path.
    func writeConfig(
        name: String, webhook: String, enabled: Bool = true, databaseURL: String? = nil, spool: String? = nil,
        acknowledge: String = "commit", deadline: Int = 10, preparedStatements: Bool = true, groupLimit: Int = 8
    ) throws -> String {
        let secretPath = "\(runDirectory)/\(name).secret"
        try (E2EEnvironment.secret + "\n").write(toFile: secretPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secretPath)
        let text = """
            [database]
            url = "\(databaseURL ?? self.databaseURL)"
            prepared_statements = \(preparedStatements)

            [server]
            body_limit = 262144
            retry_after = 7
            deadline = \(deadline)
            group_limit = \(groupLimit)

            [spool]
            path = "\(spool ?? "\(runDirectory)/\(name).spool")"
            acknowledge = "\(acknowledge)"

            [[webhook]]
            name = "\(webhook)"
            path = "/webhook/wink"
            enabled = \(enabled)
            [webhook.verify]
            secret_file = "\(secretPath)"
            """
        let path = "\(runDirectory)/\(name).toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Counts rows with a parameterised query on the e2e database.
    func count(_ sql: String, _ parameters: [String?]) throws -> Int {
        let result = try PostgresConnection(conninfo: databaseURL).execute(sql, parameters)
        return result.value(row: 0, column: 0).flatMap { Int($0) } ?? -1
    }

    /// The cluster the fault tests stop and start, and the PgBouncer in front of it (scripts/test).
    func faultDatabase() throws -> (url: String, control: [String], pgbouncer: String) {
        func value(_ name: String) throws -> String {
            try #require(E2EEnvironment.variables[name], "\(name) is not set: run the tests with `make test`")
        }
        return (
            try value("WINKHOOK_TEST_FAULT_DATABASE_URL"),
            try value("WINKHOOK_TEST_FAULT_PG").split(separator: " ").map(String.init),
            try value("WINKHOOK_TEST_PGBOUNCER_URL")
        )
    }

    /// Counts rows with a parameterised query on the database at `url`.
    func count(at url: String, _ sql: String, _ parameters: [String?]) throws -> Int {
        let result = try PostgresConnection(conninfo: url).execute(sql, parameters)
        return result.value(row: 0, column: 0).flatMap { Int($0) } ?? -1
    }

    func migrate(_ url: String? = nil) throws {
        let connection = try PostgresConnection(conninfo: url ?? databaseURL)
        try PostgresMigrator(connection: connection, logger: .init(label: "e2e")).migrate()
    }
}
