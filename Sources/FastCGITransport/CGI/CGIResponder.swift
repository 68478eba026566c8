import Glibc
import Logging
import WebhookCore

/// Plain CGI (RFC 3875): one request from the environment and stdin, the answer on stdout, then exit.
/// For shared hosting (Apache mod_cgi, fcgiwrap). Reads exactly CONTENT_LENGTH bytes (capped), or to
/// end of input when the length is absent.
public struct CGIResponder {
    private let processor: RequestProcessor

    /// Creates a responder.
    public init(processor: RequestProcessor) {
        self.processor = processor
    }

    /// Answers the one request. Returns the process exit status (0 even for 4xx: the answer was given).
    public func run() -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        let outcome = processor.respond(
            parameters: CGIResponder.environmentPairs(),
            readBody: { limit in CGIResponder.readStandardInput(upTo: limit) },
            discardBody: { declared in CGIResponder.drainStandardInput(upTo: declared ?? CGIResponder.drainLimit) })
        return CGIResponder.writeStandardOutput(outcome.response.cgiBytes) ? 0 : 1
    }

    /// Writes a fixed answer (used when no pipeline could be built). Returns the exit status.
    public static func answer(_ response: WebhookResponse) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        return writeStandardOutput(response.cgiBytes) ? 0 : 1
    }

    /// The variables of the process environment a request is read from, as (name, value) pairs.
    public static func environmentPairs() -> [(String, String)] {
        CStringPairs.read(environ, keeping: RequestHead.readsParameter(named:))
    }

    /// The most read and thrown away after an early answer (fcgiwrap wants stdin read to its end).
    static let drainLimit = 16 << 20

    /// Reads and discards up to `limit` bytes of stdin, so a gateway that writes the whole body before
    /// reading the answer (fcgiwrap) does not fail with 502 after a 401, 405 or 413.
    static func drainStandardInput(upTo limit: Int) {
        var scratch = [UInt8](repeating: 0, count: 65536)
        var total = 0
        while total < min(limit, drainLimit) {
            let n = scratch.withUnsafeMutableBytes { raw in
                Glibc.read(0, raw.baseAddress, min(raw.count, limit - total))
            }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            total += n
        }
    }

    static func readStandardInput(upTo limit: Int) -> [UInt8] {
        var body = [UInt8](repeating: 0, count: limit)
        var filled = 0
        while filled < limit {
            let n = body.withUnsafeMutableBytes { raw in
                Glibc.read(0, raw.baseAddress.map { $0 + filled }, limit - filled)
            }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            filled += n
        }
        body.removeSubrange(filled...)
        return body
    }

    static func writeStandardOutput(_ bytes: [UInt8]) -> Bool {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Glibc.write(1, raw.baseAddress.map { $0 + written }, bytes.count - written)
            }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return false }
            written += n
        }
        return true
    }
}
