internal import CFastCGI
import Glibc
import Logging
import WebhookCore

/// One single-threaded FastCGI worker: `FCGX_Accept_r` on a listening socket, one request at a time.
///
/// libfcgi's SIGTERM/SIGUSR1 handlers (installed by `FCGX_Init`) make a graceful stop: a request in
/// flight finishes, then the next accept returns and `run` returns 0.
public final class FastCGIWorker {
    private let listenDescriptor: Int32
    private let processor: RequestProcessor
    private let logger: Logger
    private let maxRequests: Int
    private let scoring: WorkerScoring?
    private let request: UnsafeMutablePointer<FCGX_Request>
    /// spawn-fcgi sends a worker's stderr to /dev/null; then warnings also go to the FastCGI stderr
    /// stream, which nginx writes to its error log.
    private let copyWarningsToWebServer = FastCGIWorker.standardErrorIsDiscarded()

    /// The largest body drained after an early answer; past this the connection is simply closed.
    static let drainLimit = 16 << 20

    /// Creates a worker on `listenDescriptor` (0 under spawn-fcgi, mod_fcgid and `winkhook serve`).
    /// - Parameter maxRequests: exit after this many requests (0: never); only useful under a supervisor.
    /// - Parameter scoring: the pool's scoreboard under `winkhook serve` (counts, status pages).
    public init(
        listenDescriptor: Int32, processor: RequestProcessor, logger: Logger, maxRequests: Int = 0,
        scoring: WorkerScoring? = nil
    ) {
        self.scoring = scoring
        self.listenDescriptor = listenDescriptor
        self.processor = processor
        self.logger = logger
        self.maxRequests = maxRequests
        // libfcgi's streams point back at the request, so it needs a stable address.
        self.request = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1)
    }

    deinit { request.deallocate() }

    /// Serves until shutdown. Returns the process exit status.
    public func run() -> Int32 {
        guard FCGX_Init() == 0 else {
            logger.critical("FCGX_Init failed")
            return 1
        }
        WorkerShutdown.installHandlers()
        guard FCGX_InitRequest(request, listenDescriptor, 0) == 0 else {
            logger.critical("FCGX_InitRequest failed")
            return 1
        }
        var served = 0
        while !WorkerShutdown.requested {
            let accepted = FCGX_Accept_r(request)
            if accepted < 0 {
                if WorkerShutdown.requested || accepted == -EINTR {
                    break
                }
                logger.error("FCGX_Accept_r failed", metadata: ["code": "\(accepted)"])
                FCGX_Finish_r(request)
                return 1
            }
            WorkerShutdown.withStopSignalsBlocked { serve() }
            served += 1
            if maxRequests > 0, served >= maxRequests {
                logger.info("served max_requests; exiting to be replaced", metadata: ["requests": "\(served)"])
                break
            }
        }
        FCGX_Finish_r(request)
        return 0
    }

    private func serve() {
        let parameters = copyParameters()
        let input = request.pointee.in
        let started = RequestProcessor.now().microseconds
        scoring?.started(at: started)
        if let scoring, let page = scoring.page(for: parameters, now: started) {
            FastCGIWorker.drain(input, upTo: FastCGIWorker.drainLimit)
            write(page.cgiBytes, to: request.pointee.out)
            FCGX_Finish_r(request)
            scoring.notCounted()
            return
        }
        let outcome = processor.respond(
            parameters: parameters,
            readBody: { limit in FastCGIWorker.read(input, upTo: limit) },
            discardBody: { declared in
                FastCGIWorker.drain(input, upTo: min(declared ?? FastCGIWorker.drainLimit, FastCGIWorker.drainLimit))
            })
        write(outcome.response.cgiBytes, to: request.pointee.out)
        if copyWarningsToWebServer, outcome.severity != .info {
            write(
                Array("winkhook: \(outcome.response.status) \(LogText.safe(outcome.message, limit: 1000))\n".utf8),
                to: request.pointee.err)
        }
        // Counted before the answer leaves (libfcgi buffers it until the finish): a status page asked
        // for after this answer arrived, by whichever worker, already counts it.
        scoring?.finished(outcome, startedAt: started, now: RequestProcessor.now().microseconds)
        // Flush and end the request here, still with the stop signals blocked (the next accept would
        // do it otherwise, where a signal could cut the flush short). A second finish is a no-op.
        FCGX_Finish_r(request)
    }

    /// Whether fd 2 is /dev/null (as under spawn-fcgi).
    static func standardErrorIsDiscarded() -> Bool {
        var errorInfo = stat()
        var nullInfo = stat()
        guard fstat(2, &errorInfo) == 0, stat("/dev/null", &nullInfo) == 0 else { return false }
        return errorInfo.st_rdev == nullInfo.st_rdev && errorInfo.st_ino == nullInfo.st_ino
    }

    /// Copies the `NAME=value` parameters a request is read from out of libfcgi memory (it is freed by
    /// the next accept).
    private func copyParameters() -> [(String, String)] {
        CStringPairs.read(request.pointee.envp, keeping: RequestHead.readsParameter(named:))
    }

    static func read(_ stream: UnsafeMutablePointer<FCGX_Stream>?, upTo limit: Int) -> [UInt8] {
        guard let stream, limit > 0 else { return [] }
        var body = [UInt8](repeating: 0, count: limit)
        var filled = 0
        body.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self) else { return }
            while filled < limit {
                let chunk = Int32(min(limit - filled, 1 << 20))
                let n = FCGX_GetStr(base + filled, chunk, stream)
                if n <= 0 { break }
                filled += Int(n)
            }
        }
        body.removeSubrange(filled...)
        return body
    }

    static func drain(_ stream: UnsafeMutablePointer<FCGX_Stream>?, upTo limit: Int) {
        guard let stream else { return }
        var scratch = [CChar](repeating: 0, count: 65536)
        var total = 0
        while total < limit {
            let n = FCGX_GetStr(&scratch, Int32(min(scratch.count, limit - total)), stream)
            if n <= 0 { break }
            total += Int(n)
        }
    }

    private func write(_ bytes: [UInt8], to stream: UnsafeMutablePointer<FCGX_Stream>?) {
        guard let out = stream else { return }
        let written = bytes.withUnsafeBytes { raw -> Int32 in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self) else { return 0 }
            return FCGX_PutStr(base, Int32(bytes.count), out)
        }
        if written < 0 {
            logger.warning("could not write the response; the web server closed the connection")
        }
    }
}
