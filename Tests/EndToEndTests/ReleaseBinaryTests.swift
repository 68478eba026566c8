import Foundation
import Testing
import WebhookCore

extension EndToEnd {
    /// `make release`'s binary (scripts/build-release, built by `make test`) on a host without Swift: its
    /// `ldd` names no toolchain library and no libfcgi, and one real CGI request is verified, stored and
    /// answered in a mount namespace where the toolchain's folder is an empty tmpfs. The debug build, which
    /// links the toolchain's libraries, must fail there: otherwise the hiding proves nothing.
    @Suite(.serialized)
    struct ReleaseBinaryTests {
        let environment: E2EEnvironment
        let release: String
        let toolchain: String

        init() throws {
            environment = try E2EEnvironment.require()
            try environment.migrate()
            let variables = ProcessInfo.processInfo.environment
            release = try #require(
                variables["WINKHOOK_TEST_RELEASE_BINARY"], "WINKHOOK_TEST_RELEASE_BINARY is not set: run `make test`")
            toolchain = try #require(variables["WINKHOOK_TEST_TOOLCHAIN"], "WINKHOOK_TEST_TOOLCHAIN is not set")
            try #require(FileManager.default.isExecutableFile(atPath: release), "no release binary at \(release)")
        }

        /// Runs `program` with `environment` (and a PATH) and `input` on stdin.
        func run(_ program: String, _ arguments: [String], environment: [String: String] = [:], input: [UInt8] = [])
            throws -> (Int32, String, String)
        {
            let result = try Program.run(
                program, arguments,
                environment: environment.merging(["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]) { old, _ in old },
                input: input)
            return (result.status, result.output, result.errors)
        }

        /// `binary` with the toolchain's folder hidden under an empty read-only tmpfs.
        func hidden(
            _ binary: String, _ arguments: [String] = [], environment: [String: String] = [:], input: [UInt8] = []
        )
            throws -> (Int32, String, String)
        {
            try run(
                "/usr/bin/unshare",
                ["-m", "/bin/sh", "-c", #"mount -t tmpfs -o ro,size=1k none "$0" && exec "$@""#, toolchain, binary]
                    + arguments, environment: environment, input: input)
        }

        @Test func needsNoToolchainLibrary() throws {
            let (status, ldd, _) = try run("/usr/bin/ldd", [release])
            print("ldd \(release):\n\(ldd)")
            #expect(status == 0)
            for forbidden in ["not found", "libswift", "libFoundation", "libdispatch", "libfcgi", toolchain] {
                #expect(!ldd.contains(forbidden), "\(forbidden) in \(ldd)")
            }
            // libpq and OpenSSL are linked in (scripts/static-libpq): libc, libm and libgcc_s are all it loads.
            let needed = ldd.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            #expect(
                Set(needed) == [
                    "linux-vdso.so.1", "libm.so.6", "libgcc_s.so.1", "libc.so.6", "/lib64/ld-linux-x86-64.so.2",
                ],
                "\(needed)")
            let debug = try hidden(environment.binary, ["--version"])
            #expect(debug.0 != 0, "the debug build ran with the toolchain hidden: \(debug)")
            let version = try hidden(release, ["--version"])
            #expect(version.0 == 0 && !version.1.isEmpty, "\(version)")
        }

        /// The linked-in libpq over a unix socket, TCP (GSSAPI loaded on demand) and TLS, and without
        /// libgssapi_krb5 at all: scripts/try-release-tcp, against a private PostgreSQL on 127.0.0.1.
        @Test func linkedInLibpqConnectsOverTCPAndTLS() throws {
            let (status, report) = try Daemon.script("try-release-tcp", [release])
            #expect(status == 0, "\(report.suffix(3000))")
            #expect(report.contains("connects over a unix socket, TCP and TLS, with and without GSSAPI"))
        }

        @Test func answersARealCGIRequestWithTheToolchainHidden() throws {
            let webhook = "e2e-release-\(UInt32.random(in: 0...UInt32.max))"
            let config = try environment.writeConfig(name: "release", webhook: webhook)
            let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../WebhookCoreTests/Fixtures/booking.create.json")
            let body = Array(try Data(contentsOf: fixture))
            let signer = StandardWebhooksSigner(secret: try StandardWebhooksSecret(E2EEnvironment.secret))
            var cgi = [
                "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "SCRIPT_NAME": "/webhook/wink",
                "REQUEST_URI": "/webhook/wink", "CONTENT_TYPE": "application/json",
                "CONTENT_LENGTH": String(body.count),
                "WINKHOOK_CONFIG": config, "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            ]
            for (name, value) in signer.headers(
                id: "msg_release_1", timestamp: Int64(Date().timeIntervalSince1970), body: body)
            {
                cgi["HTTP_" + name.uppercased().replacingOccurrences(of: "-", with: "_")] = value
            }
            let (status, answer, log) = try hidden(release, environment: cgi, input: body)
            #expect(status == 0, "\(log)")
            #expect(answer.hasPrefix("Status: 200"), "\(answer) \(log)")
            #expect(answer.lowercased().contains("winkhook-result: stored"), "\(answer)")
            #expect(
                try environment.count("SELECT count(*) FROM winkhook.deliveries WHERE webhook = $1", [webhook]) == 1)
            let points = try environment.count("SELECT count(*) FROM winkhook.points WHERE webhook = $1", [webhook])
            #expect(points >= 5)
        }
    }
}
