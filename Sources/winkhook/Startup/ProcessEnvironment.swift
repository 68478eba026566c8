import FastCGITransport
import Glibc
import WebhookCore

/// The process environment as a dictionary (no Foundation); the first of a repeated name wins.
enum ProcessEnvironment {
    static func current() -> [String: String] {
        Dictionary(CStringPairs.read(environ), uniquingKeysWith: { first, _ in first })
    }
}
