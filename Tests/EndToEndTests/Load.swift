import Foundation
import WebhookCore

/// Signed deliveries from several threads at once, each with a fresh id, until stopped; every answer
/// recorded by id, so a test can check that each acknowledged delivery is stored exactly once.
final class Load: @unchecked Sendable {
    private let lock = NSLock()
    private var running = true
    private var answers: [String: Int] = [:]
    private var threads: [Thread] = []
    private let finished = DispatchGroup()

    /// Starts `clients` threads posting `body` to `url`.
    init(url: String, body: [UInt8], clients: Int, prefix: String) {
        for client in 0..<clients {
            finished.enter()
            let thread = Thread { [self] in
                var n = 0
                while isRunning {
                    n += 1
                    let id = "\(prefix)_\(client)_\(n)"
                    let status = (try? HTTP.signedPost(url, body: body, id: id))?.0 ?? -1
                    record(id, status)
                }
                finished.leave()
            }
            thread.start()
            threads.append(thread)
        }
    }

    private var isRunning: Bool { lock.withLock { running } }

    private func record(_ id: String, _ status: Int) { lock.withLock { answers[id] = status } }

    /// Stops every client and waits for their last answers.
    func stop() {
        lock.withLock { running = false }
        finished.wait()
    }

    /// Answers by status (-1: no answer at all).
    var statuses: [Int: Int] { lock.withLock { answers.values.reduce(into: [:]) { $0[$1, default: 0] += 1 } } }

    /// The ids answered 200.
    var acknowledged: Set<String> { lock.withLock { Set(answers.filter { $0.value == 200 }.keys) } }

    /// How many answers so far.
    var total: Int { lock.withLock { answers.count } }
}
