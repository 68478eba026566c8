import Foundation
import Testing

extension EndToEnd {
    /// deploy/apache as shipped, in a real Apache 2.4 (Debian's apache2-bin, running as www-data):
    /// mod_proxy_fcgi to `winkhook serve`, mod_fcgid running the binary as its FastCGI application, and the
    /// shared-hosting .htaccess under mod_cgid. Each is sent a signed delivery, every refusal of the answer
    /// table, HTTP Basic credentials and a URL token; only paths, the port and the log folder are rewritten.
    @Suite(.serialized)
    struct ApacheTests {
        let environment: E2EEnvironment

        init() throws {
            environment = try E2EEnvironment.require()
            try environment.migrate()
        }

        @Test func proxyFCGIToServe() throws {
            let site = try ApacheSite(environment: environment, kit: "proxy-fcgi")
            let serve = Process()
            serve.executableURL = URL(fileURLWithPath: environment.binary)
            serve.arguments = [
                "serve", "--config", site.config, "--listen", "unix:" + site.socket, "--socket-group", "www-data",
                "--workers", "2",
            ]
            serve.standardError = FileHandle(forWritingAtPath: site.directory + "/serve.log")
            try serve.run()
            defer {
                kill(serve.processIdentifier, SIGTERM)
                serve.waitUntilExit()
            }
            var conf = try site.shipped("winkhook-proxy-fcgi.conf")
            conf = conf.replacingOccurrences(of: "unix:/run/winkhook/winkhook.sock", with: "unix:" + site.socket)
            try site.start(modules: ["proxy", "proxy_fcgi", "setenvif", "headers"], site: conf)
            try site.checkEverything()
        }

        @Test func fcgidRunsTheBinary() throws {
            let site = try ApacheSite(environment: environment, kit: "fcgid")
            var conf = try site.shipped("winkhook-fcgid.conf")
            conf = conf.replacingOccurrences(of: "/usr/bin/winkhook", with: site.binary)
                .replacingOccurrences(of: "\"/usr/bin\"", with: "\"\(site.directory)/bin\"")
                .replacingOccurrences(of: "/etc/winkhook/winkhook.toml", with: site.config)
            try site.start(
                modules: ["fcgid", "setenvif", "alias"], site: conf + "\nFcgidIPCDir \(site.directory)/fcgid\n")
            try site.checkEverything()
        }

        @Test func sharedHostingHtaccessUnderModCGID() throws {
            let site = try ApacheSite(environment: environment, kit: "cgid")
            let folder = site.directory + "/htdocs/webhook"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: site.binary, toPath: folder + "/winkhook.cgi")
            let htaccess = try site.shipped("htaccess")
                .replacingOccurrences(of: "/home/USER/winkhook/winkhook.toml", with: site.config)
            try htaccess.write(toFile: folder + "/.htaccess", atomically: true, encoding: .utf8)
            let conf = """
                ScriptSock \(site.directory)/cgid.sock
                <Directory "\(site.directory)/htdocs">
                    AllowOverride All
                    Require all granted
                </Directory>
                SetEnvIf Request_URI "^(/webhook/[^/]+)" winkhook_path=$1
                LogFormat "%h %l %u %t \\"%m %{winkhook_path}e/*** %H\\" %>s %b %D" winkhook_masked
                CustomLog ${APACHE_LOG_DIR}/winkhook.access.log winkhook_masked env=winkhook_path
                """
            try site.start(modules: ["cgid", "rewrite", "setenvif", "env", "mime"], site: conf)
            try site.checkEverything(maskedPath: "/webhook/winkhook.cgi")
        }
    }
}

/// One Apache site in a folder of its own under /tmp (www-data must reach the binary, the configuration,
/// the spool and PostgreSQL's socket, which a checkout under a 0700 home would hide).
final class ApacheSite {
    let environment: E2EEnvironment
    let directory: String
    let port: Int
    let webhook: String
    var apache: Daemon?

    static let token = "apacheTok_Q2xZr9LmT4vB8nC1dF6gH3jK5sA0"
    static let password = "apache-basic-password-3"

    var config: String { directory + "/winkhook.toml" }
    var socket: String { directory + "/winkhook.sock" }
    var binary: String { directory + "/bin/winkhook" }
    var base: String { "http://127.0.0.1:\(port)" }

    init(environment: E2EEnvironment, kit: String) throws {
        self.environment = environment
        webhook = "e2e-apache-\(kit)-\(UInt32.random(in: 0...UInt32.max))"
        var template = Array("/tmp/winkhook-apache.XXXXXX".utf8CString)
        directory = try template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, let made = mkdtemp(base) else {
                throw ApacheSiteError("mkdtemp failed")
            }
            return String(cString: made)
        }
        chmod(directory, 0o755)
        port = try HTTP.freePort()
        let manager = FileManager.default
        for folder in ["bin", "htdocs", "logs", "fcgid", "spool"] {
            try manager.createDirectory(atPath: directory + "/" + folder, withIntermediateDirectories: true)
        }
        // Apache's children and the programs it starts run as www-data.
        for folder in ["logs", "fcgid", "spool"] { chown(directory + "/" + folder, 33, 33) }
        if link(environment.binary, binary) != 0 { try manager.copyItem(atPath: environment.binary, toPath: binary) }
        let secrets = [
            ("standard.secret", E2EEnvironment.secret), ("tokens", ApacheSite.token),
            ("passwords", "wink:" + ApacheSite.password),
        ]
        for (name, value) in secrets {
            try (value + "\n").write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
            chown(directory + "/" + name, 33, 33)
            chmod(directory + "/" + name, 0o600)
        }
        try """
        [database]
        url = "\(environment.databaseURL)"
        [server]
        # Below Apache's LimitRequestBody, so winkhook's own 413 is what is tried.
        body_limit = 65536
        retry_after = 7
        [spool]
        path = "\(directory)/spool"

        [[webhook]]
        name = "\(webhook)"
        path = "/webhook/wink"
        [webhook.verify]
        scheme = "standard-webhooks"
        secret_file = "\(directory)/standard.secret"

        [[webhook]]
        name = "\(webhook)-basic"
        path = "/webhook/basic"
        [webhook.verify]
        scheme = "basic"
        secret_file = "\(directory)/passwords"

        [[webhook]]
        name = "\(webhook)-token"
        path = "/webhook/token"
        [webhook.verify]
        scheme = "url-token"
        secret_file = "\(directory)/tokens"

        [[webhook]]
        name = "\(webhook)-fenced"
        path = "/webhook/fenced"
        allow_from = ["192.0.2.0/24"]
        [webhook.verify]
        scheme = "url-token"
        secret_file = "\(directory)/tokens"

        [[webhook]]
        name = "\(webhook)-paused"
        path = "/webhook/paused"
        enabled = false
        [webhook.verify]
        scheme = "url-token"
        secret_file = "\(directory)/tokens"
        """.write(toFile: config, atomically: true, encoding: .utf8)
        chmod(config, 0o644)
    }

    deinit {
        apache?.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A file of deploy/apache.
    func shipped(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").path
        return try String(contentsOfFile: root + "/deploy/apache/" + name, encoding: .utf8)
    }

    /// Starts Apache in the foreground with `modules` and the site's directives; returns once it answers.
    func start(modules: [String], site: String) throws {
        let loads = (["mpm_event", "authz_core", "authn_core", "mime"] + modules).reduce(into: [String]()) {
            if !$0.contains($1) { $0.append($1) }
        }
        .map { "LoadModule \($0)_module /usr/lib/apache2/modules/mod_\($0).so" }.joined(separator: "\n")
        try """
        Define APACHE_LOG_DIR \(directory)/logs
        ServerRoot \(directory)
        ServerName 127.0.0.1
        Listen 127.0.0.1:\(port)
        PidFile \(directory)/logs/apache.pid
        DefaultRuntimeDir \(directory)/logs
        Mutex file:\(directory)/logs default
        ErrorLog \(directory)/logs/error.log
        LogLevel warn
        User www-data
        Group www-data
        \(loads)
        TypesConfig /etc/mime.types
        DocumentRoot \(directory)/htdocs
        <Directory />
            AllowOverride None
            Require all denied
        </Directory>
        <Location />
            Require all granted
        </Location>
        \(site)
        """.write(toFile: directory + "/apache.conf", atomically: true, encoding: .utf8)
        let process = try Daemon(["/usr/sbin/apache2", "-f", directory + "/apache.conf", "-DFOREGROUND"])
        apache = process
        var answering = false
        for _ in 0..<100 where !answering && process.isRunning {
            answering = (try? HTTP.request(base + "/webhook/other", body: [0x7B, 0x7D])) != nil
            if !answering { usleep(50_000) }
        }
        try #require(answering, "Apache did not start: \(log("logs/error.log"))")
    }

    func log(_ name: String) -> String {
        (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? ""
    }

    func count(_ name: String, _ table: String = "deliveries") throws -> Int {
        try environment.count("SELECT count(*) FROM winkhook.\(table) WHERE webhook = $1", [name])
    }

    /// The answer table through Apache, and what reached the database.
    /// `maskedPath`: the path the masked access log shows for the URL token (under a rewrite, the
    /// program's).
    func checkEverything(maskedPath: String = "/webhook/token") throws {
        let url = base + "/webhook/wink"
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../WebhookCoreTests/Fixtures/booking.create.json")
        let booking = Array(try Data(contentsOf: fixture))
        // The first requests may wait for a FastCGI process to start.
        var first = (0, "", [String: String]())
        for _ in 0..<50 where first.0 != 200 {
            first = try HTTP.signedPost(url, body: booking, id: "msg_apache_1")
            if first.0 != 200 { usleep(200_000) }
        }
        #expect(first.0 == 200, "\(first) \(log("logs/error.log"))")
        #expect(first.2["winkhook-result"] == "stored")
        let again = try HTTP.signedPost(url, body: booking, id: "msg_apache_1")
        #expect(again.0 == 200 && again.2["winkhook-result"] == "duplicate")
        #expect(try count(webhook) == 1)
        #expect(try count(webhook, "points") >= 5)

        let wrong = "whsec_" + Data("not the secret at all, sorry".utf8).base64EncodedString()
        #expect(try HTTP.signedPost(url, body: booking, id: "msg_apache_2", secret: wrong).0 == 401)
        let get = try HTTP.request(url, method: "GET")
        #expect(get.0 == 405 && get.2["allow"] == "POST")
        #expect(try HTTP.request(base + "/webhook/other", body: booking).0 == 404)
        let text = try HTTP.request(url, body: booking, headers: [("Content-Type", "text/plain")])
        #expect(text.0 == 415, "\(text)")
        let malformed = Array(#"{"type": "booking.create", "data": {"#.utf8)
        #expect(try HTTP.signedPost(url, body: malformed, id: "msg_apache_3").0 == 400)
        #expect(try count(webhook, "rejected_deliveries") == 1)
        // Answered before the body is read: the program must still read it, or the client gets nothing.
        let big = Array(#"{"pad":""#.utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 100_000) + Array(#""}"#.utf8)
        let oversize = try HTTP.signedPost(url, body: big, id: "msg_apache_4")
        #expect(oversize.0 == 413, "\(oversize)")
        #expect(oversize.1.contains("body_too_large"), "\(oversize)")

        let paused = try HTTP.request(base + "/webhook/paused/" + ApacheSite.token, body: booking)
        #expect(paused.0 == 503 && paused.2["retry-after"] == "7", "\(paused)")
        #expect(try HTTP.request(base + "/webhook/fenced/" + ApacheSite.token, body: booking).0 == 403)

        let credentials = Data("wink:\(ApacheSite.password)".utf8).base64EncodedString()
        let basic = try HTTP.request(
            base + "/webhook/basic", body: booking,
            headers: [("Content-Type", "application/json"), ("Authorization", "Basic " + credentials)])
        #expect(basic.0 == 200, "Authorization must reach winkhook (CGIPassAuth): \(basic)")
        let anonymous = try HTTP.request(base + "/webhook/basic", body: booking)
        #expect(anonymous.0 == 401 && anonymous.2["www-authenticate"] == #"Basic realm="winkhook""#)

        let tokened = try HTTP.request(base + "/webhook/token/" + ApacheSite.token, body: booking)
        #expect(tokened.0 == 200, "\(tokened)")
        #expect(try count(webhook + "-token") == 1)
        #expect(try count(webhook + "-basic") == 1)
        let access = log("logs/winkhook.access.log")
        #expect(access.contains("\"POST \(maskedPath)/*** HTTP/1.1\" 200"), "\(access)")
        #expect(!access.contains(ApacheSite.token))
        #expect(!log("logs/error.log").contains(ApacheSite.token))
    }
}

struct ApacheSiteError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
