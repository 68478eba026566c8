import Foundation
import Testing

extension EndToEnd {
    /// nginx.conf.example as shipped, in a real nginx terminating TLS with a self-signed certificate for
    /// hooks.example.com (curl checks it against that certificate and the name): it routes to winkhook and
    /// its access log masks a URL token. Only what a test host cannot have is rewritten: the port (a free
    /// loopback one instead of 443), the certificate's files, the socket path and the log file.
    @Suite(.serialized)
    struct NginxExampleTests {
        let environment: E2EEnvironment
        static let token = "exampleTok_Q2xZr9LmT4vB8nC1dF6gH3jK5sA0"

        init() throws {
            environment = try E2EEnvironment.require()
            try environment.migrate()
        }

        @Test func theExampleRoutesAndMasksTheToken() throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").path
            let directory = environment.runDirectory + "/nginx-example"
            try? FileManager.default.removeItem(atPath: directory)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let socket = directory + "/winkhook.sock"
            let port = try HTTP.freePort()
            var example = try String(contentsOfFile: root + "/nginx.conf.example", encoding: .utf8)
            let certificate = directory + "/hooks.example.com.pem"
            let key = directory + "/hooks.example.com.key"
            let made = try run(
                "/usr/bin/openssl",
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=hooks.example.com",
                    "-addext", "subjectAltName=DNS:hooks.example.com", "-keyout", key, "-out", certificate,
                ])
            try #require(made.0 == 0, "openssl: \(made.1)")
            example = example.replacingOccurrences(of: "listen 443 ssl;", with: "listen 127.0.0.1:\(port) ssl;")
                .replacingOccurrences(of: "listen [::]:443 ssl;", with: "")
                .replacingOccurrences(of: "/etc/ssl/certs/hooks.example.com.pem", with: certificate)
                .replacingOccurrences(of: "/etc/ssl/private/hooks.example.com.key", with: key)
                .replacingOccurrences(of: "unix:/run/winkhook/winkhook.sock", with: "unix:" + socket)
                .replacingOccurrences(of: "/var/log/nginx/winkhook.access.log", with: directory + "/access.log")
            #expect(example.contains(certificate) && example.contains(key))
            #expect(example.contains("map $uri $winkhook_uri"))
            try example.write(toFile: directory + "/winkhook.conf", atomically: true, encoding: .utf8)
            let user = getuid() == 0 ? "user root;" : ""
            try """
            \(user)
            worker_processes 1;
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path \(directory)/body;
                fastcgi_temp_path \(directory)/fastcgi;
                proxy_temp_path \(directory)/proxy;
                scgi_temp_path \(directory)/scgi;
                uwsgi_temp_path \(directory)/uwsgi;
                include \(directory)/winkhook.conf;
            }
            """.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
            // In the foreground (daemon off) and so our child: Foundation's Process never sees a
            // daemonizing program exit while its daemon holds the launch pipe.
            let nginx = Process()
            nginx.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
            nginx.arguments = [
                "-p", directory, "-c", directory + "/nginx.conf", "-e", directory + "/error.log", "-g", "daemon off;",
            ]
            nginx.standardOutput = FileHandle.nullDevice
            nginx.standardError = FileHandle.nullDevice
            try nginx.run()
            defer {
                kill(nginx.processIdentifier, SIGQUIT)
                nginx.waitUntilExit()
            }
            // Over TLS only, checked against the certificate and the name: curl resolves the name to loopback.
            func https(_ path: String, body: [UInt8] = [], method: String = "POST", tls: String = "--tlsv1.2")
                throws -> Int
            {
                let file = directory + "/body"
                try Data(body).write(to: URL(fileURLWithPath: file))
                let (status, output) = try run(
                    "/usr/bin/curl",
                    [
                        "-s", "--path-as-is", "--cacert", certificate, tls, "--resolve",
                        "hooks.example.com:\(port):127.0.0.1", "-o", "/dev/null", "-w", "%{http_code}", "-X", method,
                        "-H", "Content-Type: application/json", "--data-binary", "@" + file,
                        "https://hooks.example.com:\(port)" + path,
                    ])
                return status == 0 ? Int(output) ?? 0 : -Int(status)
            }
            var listening = false
            for _ in 0..<100 where !listening && nginx.isRunning {
                listening = (try? https("/", method: "GET")).map { $0 > 0 } ?? false
                if !listening { usleep(50_000) }
            }
            try #require(listening, "nginx refused the example: \(log(directory + "/error.log"))")

            let tokens = directory + "/tokens"
            try (Self.token + "\n").write(toFile: tokens, atomically: true, encoding: .utf8)
            let webhook = "e2e-example-\(UInt32.random(in: 0...UInt32.max))"
            let config = directory + "/winkhook.toml"
            try """
            [database]
            url = "\(environment.databaseURL)"
            [spool]
            path = "\(directory)/spool"
            [[webhook]]
            name = "\(webhook)"
            path = "/webhook/wink"
            [webhook.verify]
            scheme = "url-token"
            secret_file = "\(tokens)"
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let serve = Process()
            serve.executableURL = URL(fileURLWithPath: environment.binary)
            serve.arguments = ["serve", "--config", config, "--listen", "unix:" + socket, "--workers", "1"]
            serve.standardError = FileHandle.nullDevice
            try serve.run()
            defer {
                kill(serve.processIdentifier, SIGTERM)
                serve.waitUntilExit()
            }
            let body = Array(#"{"type":"booking.created","id":"ex-1","data":{}}"#.utf8)
            var status = 0
            for _ in 0..<100 where status != 200 {
                status = (try? https("/webhook/wink/" + Self.token, body: body)) ?? 0
                if status != 200 { usleep(100_000) }
            }
            #expect(status == 200)
            #expect(try https("/webhook/wink?token=" + Self.token, body: body) == 200)
            // Spellings nginx routes to the same place: merged slashes, an encoded slash.
            #expect(try https("//webhook//wink/" + Self.token, body: body) == 200)
            #expect(try https("/webhook/wink%2F" + Self.token, body: body) == 200)
            #expect(try https("/webhook/wink/wrong-token-0123456789abcdef", body: body) == 401)
            #expect(try https("/elsewhere", body: body) == 404)
            // Plain HTTP on the TLS port is refused by nginx (400), never routed.
            #expect(try HTTP.request("http://127.0.0.1:\(port)/webhook/wink/" + Self.token, body: body).0 == 400)
            // TLS 1.2 and 1.3 both answer (nginx's defaults on Debian 12).
            #expect(try https("/webhook/wink/" + Self.token, body: body, tls: "--tlsv1.3") == 200)
            let access = log(directory + "/access.log")
            #expect(access.contains("\"POST /webhook/wink/*** HTTP/1.1\" 200"))
            #expect(!access.contains(Self.token))
            #expect(
                try environment.count("SELECT count(*) FROM winkhook.deliveries WHERE webhook = $1", [webhook]) == 1)
        }

        /// Runs a program to its end: (exit status, standard output and error).
        func run(_ program: String, _ arguments: [String]) throws -> (Int32, String) {
            let result = try Program.run(program, arguments)
            return (result.status, result.output + result.errors)
        }

        func log(_ path: String) -> String {
            (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        }
    }
}
