import Foundation
import Glibc
import Testing
import WebhookCore

@testable import FastCGITransport

extension EndToEnd.FaultTests {
    /// Group commit with the real binary: one worker with requests queued stores several with one write
    /// (a PostgreSQL transaction, or a spool flush), and a connection that stalls behind them cannot hold
    /// their answers.
    @Test(arguments: [("commit", 8), ("spool", 8), ("commit", 1)])
    func queuedRequestsAreStoredTogetherAndEachExactlyOnce(acknowledge: String, limit: Int) throws {
        let name = "group-\(acknowledge)-\(limit)"
        let config = try environment.writeConfig(
            name: name, webhook: webhook, acknowledge: acknowledge, groupLimit: limit)
        let server = try ServeProcess(environment: environment, config: config, name: name, workers: 1)
        let load = Load(url: url, body: try booking(), clients: 12, prefix: "group_\(acknowledge)_\(limit)")
        usleep(2_000_000)
        load.stop()
        #expect(Set(load.statuses.keys) == [200], "\(load.statuses)")
        let metrics = try HTTP.request(environment.nginxURL + "/metrics", method: "GET").1
        func counter(_ name: String) -> Int {
            metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap {
                Int($0.split(separator: " ")[1])
            }
                ?? -1
        }
        let writes = counter("winkhook_group_writes_total")
        let grouped = counter("winkhook_group_deliveries_total")
        if limit == 1 {
            #expect(writes == 0 && grouped == 0, "\(writes) group writes with group_limit = 1")
        } else {
            // Twelve senders and one worker: requests queue, and their deliveries are stored together.
            #expect(writes > 0, "no group formed: \(grouped) deliveries in \(writes) group writes")
            #expect(grouped <= load.acknowledged.count, "\(grouped) grouped, \(load.acknowledged.count) acknowledged")
        }
        try expectStoredExactlyOnce(load.acknowledged, at: environment.databaseURL, within: 30)
        _ = server.stop()
    }

    /// `records`: the stalled connection sends half a record header (it is dropped); `parameters`: its
    /// parameters but not their end; `body`: all its records but only part of its body (both answered
    /// 503, try again, nothing stored).
    @Test(arguments: ["records", "parameters", "body"])
    func aStalledConnectionQueuedBehindAcceptedRequestsCannotHoldTheirAnswers(stall: String) throws {
        let config = try environment.writeConfig(name: "stall-\(stall)", webhook: webhook, acknowledge: "spool")
        let server = try ServeProcess(environment: environment, config: config, name: "stall-\(stall)", workers: 1)
        let address = ListenAddress.unix(path: environment.socket)
        let body = try booking()
        func request(id: String) throws -> (head: [UInt8], stdin: [UInt8]) {
            try FastCGITestRequest.signed(id: id, body: body)
        }
        let (records, stdin) = try request(id: "stall_1")
        // The worker takes `first` and waits for the rest of its body; behind it queue a connection that
        // stalls, and a normal delivery through nginx.
        let first = try FastCGIClient.connect(address, timeoutSeconds: 20)
        #expect(FastCGIClient.writeAll(first, records + stdin.prefix(100)))
        usleep(200_000)
        let stalled = try FastCGIClient.connect(address, timeoutSeconds: 20)
        let slow = try request(id: "stall_slow")
        let stalledBytes =
            switch stall {
            case "records": [UInt8]([1, 1, 0])
            case "parameters": Array(slow.head.dropLast(8))  // without the empty PARAMS record that ends them
            default: slow.head + slow.stdin.prefix(50)
            }
        #expect(FastCGIClient.writeAll(stalled, stalledBytes))
        usleep(100_000)
        let behind = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Thread {
            behind.value = Result { try HTTP.signedPost(url, body: try booking(), id: "stall_2") }
            done.signal()
        }.start()
        usleep(300_000)
        let started = Date()
        #expect(FastCGIClient.writeAll(first, Array(stdin.dropFirst(100))))
        let status = FastCGITestAnswer.status(first)
        let waited = Date().timeIntervalSince(started)
        close(first)
        #expect(status == 200, "the first request was answered \(String(describing: status))")
        #expect(waited < 5, "the first request waited \(waited) s for its answer")
        if stall == "records" {
            // The stalled connection was dropped, not left holding the worker.
            var byte: UInt8 = 0
            #expect(read(stalled, &byte, 1) == 0)
        } else {
            // It did not come in time: nothing stored, and the sender may try again (never a 4xx).
            #expect(FastCGITestAnswer.status(stalled) == 503)
            if stall == "body" {
                // The worker still takes what the sender sends after that answer (it waits for the
                // sender's close): the rest of the body is not refused by a closed socket.
                let rest = Array(slow.stdin.dropFirst(50))
                let sent = rest.withUnsafeBytes { send(stalled, $0.baseAddress, rest.count, Int32(MSG_NOSIGNAL)) }
                #expect(sent == rest.count, "the rest of the body: \(sent), \(String(cString: strerror(errno)))")
            }
        }
        close(stalled)
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect((try? behind.value?.get().0) == 200, "\(String(describing: behind.value))")
        try expectStoredExactlyOnce(["stall_1", "stall_2"], at: environment.databaseURL, within: 10)
        #expect(try stored(at: environment.databaseURL)["stall_slow"] == nil)
        _ = server.stop()
    }

    /// A sender that keeps its connection open once answered does not hold the worker: the worker closes
    /// its end at once (libfcgi's own close waits up to 2 s for the sender's), and the next request is
    /// answered without that wait.
    @Test(arguments: ["commit", "spool"])
    func aConnectionLeftOpenAfterItsAnswerDoesNotHoldTheWorker(acknowledge: String) throws {
        let name = "left-open-\(acknowledge)"
        let config = try environment.writeConfig(name: name, webhook: webhook, acknowledge: acknowledge)
        let server = try ServeProcess(environment: environment, config: config, name: name, workers: 1)
        let request = try FastCGITestRequest.signed(id: "open_\(acknowledge)_1", body: try booking())
        let first = try FastCGIClient.connect(.unix(path: environment.socket), timeoutSeconds: 20)
        #expect(FastCGIClient.writeAll(first, request.head + request.stdin))
        // Read to the worker's end of the connection; ours stays open.
        #expect(FastCGITestAnswer.status(first) == 200)
        let started = Date()
        let next = try HTTP.signedPost(url, body: try booking(), id: "open_\(acknowledge)_2")
        let waited = Date().timeIntervalSince(started)
        close(first)
        #expect(next.0 == 200)
        #expect(waited < 1.5, "the next request waited \(waited) s behind a connection left open")
        try expectStoredExactlyOnce(
            ["open_\(acknowledge)_1", "open_\(acknowledge)_2"], at: environment.databaseURL, within: 10)
        _ = server.stop()
    }
}

/// A signed delivery as the FastCGI records a web server sends: the records up to the body, and the body.
enum FastCGITestRequest {
    static func signed(id: String, body: [UInt8]) throws -> (head: [UInt8], stdin: [UInt8]) {
        let signer = StandardWebhooksSigner(secret: try StandardWebhooksSecret(E2EEnvironment.secret))
        var parameters = [
            ("GATEWAY_INTERFACE", "CGI/1.1"), ("REQUEST_METHOD", "POST"), ("REQUEST_URI", "/webhook/wink"),
            ("DOCUMENT_URI", "/webhook/wink"), ("QUERY_STRING", ""), ("SERVER_PROTOCOL", "HTTP/1.1"),
            ("REMOTE_ADDR", "127.0.0.1"), ("CONTENT_TYPE", "application/json"), ("CONTENT_LENGTH", "\(body.count)"),
        ]
        for (name, value) in signer.headers(id: id, timestamp: Int64(Date().timeIntervalSince1970), body: body) {
            parameters.append(("HTTP_" + name.uppercased().replacingOccurrences(of: "-", with: "_"), value))
        }
        var head = FastCGIClient.record(type: 1, content: [0, 1, 0, 0, 0, 0, 0, 0])
        head += FastCGIClient.record(type: 4, content: FastCGIClient.encode(parameters))
        head += FastCGIClient.record(type: 4, content: [])
        return (head, FastCGIClient.record(type: 5, content: body) + FastCGIClient.record(type: 5, content: []))
    }
}

/// Reads a FastCGI answer to its end and returns its status.
enum FastCGITestAnswer {
    static func status(_ fd: Int32) -> Int? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += chunk[0..<n]
        }
        var stdout: [UInt8] = []
        var at = 0
        while bytes.count - at >= 8 {
            let length = Int(bytes[at + 4]) << 8 | Int(bytes[at + 5])
            let total = 8 + length + Int(bytes[at + 6])
            guard bytes.count - at >= total else { break }
            if bytes[at + 1] == 6 { stdout += bytes[(at + 8)..<(at + 8 + length)] }
            at += total
        }
        return (try? FastCGIClient.parse(stdout, from: .unix(path: "answer")))?.status
    }
}
