internal import CFastCGI
import Clocks
import Glibc
import Logging
import WebhookCore

/// One single-threaded FastCGI worker: `FCGX_Accept_r` on a listening socket, one request at a time.
///
/// Group commit (`groupLimit` > 1): the requests already queued on the listener behind the one accepted
/// are served as one group. Each is read and processed up to its store; their deliveries are then
/// stored together (one PostgreSQL transaction, or one spool flush in spool mode), and only then is each
/// answered, so every 200 still follows the write that holds its delivery. A group takes only what is
/// already queued (never waits for a request to arrive), at most `groupLimit`, and a connection that is
/// slow to send ends it (`GroupDeadline`).
///
/// libfcgi's SIGTERM/SIGUSR1 handlers (installed by `FCGX_Init`) make a graceful stop: a request in
/// flight finishes, then the next accept returns and `run` returns 0.
public final class FastCGIWorker {
    private let listenDescriptor: Int32
    private let processor: RequestProcessor
    private let logger: Logger
    private let maxRequests: Int
    private let scoring: WorkerScoring?
    /// One per request of a group (one without group commit).
    private let requests: [UnsafeMutablePointer<FCGX_Request>]
    /// spawn-fcgi sends a worker's stderr to /dev/null; then warnings also go to the FastCGI stderr
    /// stream, which nginx writes to its error log.
    private let copyWarningsToWebServer = FastCGIWorker.standardErrorIsDiscarded()

    /// The largest body drained after an early answer; past this the connection is simply closed.
    static let drainLimit = 16 << 20
    /// How long taking the further requests of a group may take in all (their records and bodies), in ms.
    static let groupTakeMilliseconds = 1000
    /// No request joins a group once the group is this old (µs): the first one's answer waits for them.
    static let groupBudgetMicros: Int64 = 250_000

    /// Creates a worker on `listenDescriptor` (0 under spawn-fcgi, mod_fcgid and `winkhook serve`).
    /// - Parameter maxRequests: exit after this many requests (0: never); only useful under a supervisor.
    /// - Parameter scoring: the pool's scoreboard under `winkhook serve` (counts, status pages).
    /// - Parameter groupLimit: requests stored together at most (1: one at a time).
    public init(
        listenDescriptor: Int32, processor: RequestProcessor, logger: Logger, maxRequests: Int = 0,
        scoring: WorkerScoring? = nil, groupLimit: Int = 1
    ) {
        self.scoring = scoring
        self.listenDescriptor = listenDescriptor
        self.processor = processor
        self.logger = logger
        self.maxRequests = maxRequests
        // libfcgi's streams point back at their request, so each needs a stable address.
        self.requests = (0..<max(1, groupLimit)).map { _ in UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1) }
    }

    deinit { for request in requests { request.deallocate() } }

    /// Serves until shutdown. Returns the process exit status.
    public func run() -> Int32 {
        guard FCGX_Init() == 0 else {
            logger.critical("FCGX_Init failed")
            return 1
        }
        WorkerShutdown.installHandlers()
        for (index, request) in requests.enumerated() {
            // A further request of a group: an accept cut short by `GroupDeadline` returns.
            let flags = index == 0 ? 0 : FCGI_FAIL_ACCEPT_ON_INTR
            guard FCGX_InitRequest(request, listenDescriptor, flags) == 0 else {
                logger.critical("FCGX_InitRequest failed")
                return 1
            }
        }
        if grouping {
            GroupDeadline.install()
            // Taking the next queued request must never wait for one to arrive. (The flag is the
            // listener's, so every worker on it copes with an accept that finds nothing: `accept`.)
            let flags = fcntl(listenDescriptor, F_GETFL)
            if flags >= 0 { _ = fcntl(listenDescriptor, F_SETFL, flags | O_NONBLOCK) }
        }
        var served = 0
        while !WorkerShutdown.requested {
            let accepted = accept(requests[0])
            if accepted < 0 {
                if WorkerShutdown.requested || accepted == -EINTR {
                    break
                }
                logger.error("FCGX_Accept_r failed", metadata: ["code": "\(accepted)"])
                finishAll()
                return 1
            }
            served += WorkerShutdown.withStopSignalsBlocked { serveGroup() }
            if maxRequests > 0, served >= maxRequests {
                logger.info("served max_requests; exiting to be replaced", metadata: ["requests": "\(served)"])
                break
            }
        }
        finishAll()
        return 0
    }

    private var grouping: Bool { requests.count > 1 }

    private func finishAll() { for request in requests { FCGX_Finish_r(request) } }

    /// `FCGX_Accept_r`, waiting for a connection when the listener is non-blocking and has none yet.
    private func accept(_ request: UnsafeMutablePointer<FCGX_Request>) -> Int32 {
        while true {
            let accepted = FCGX_Accept_r(request)
            guard accepted == -EAGAIN || accepted == -EWOULDBLOCK else { return accepted }
            guard WorkerShutdown.waitForConnection(on: listenDescriptor) else { return -EINTR }
        }
    }

    /// Serves the accepted `requests[0]` and, with group commit, the requests queued behind it; returns
    /// how many were served.
    private func serveGroup() -> Int {
        // The requests taken (a status page is answered at once) and, at the same places, their decisions.
        var taken: [Taken] = []
        var decided: [RequestProcessor.Decided] = []
        var waiting = 0
        func add(_ request: UnsafeMutablePointer<FCGX_Request>, bounded: Bool = false) {
            guard let (one, decision) = take(request, bounded: bounded) else { return }
            taken.append(one)
            if decision.pending != nil { waiting += 1 }
            decided.append(decision)
        }
        var count = 1
        // Stores the deliveries together, answers each request, and returns how many were served.
        func finish() -> Int {
            processor.store(&decided)
            if waiting > 1 { scoring?.grouped(deliveries: waiting) }
            for index in taken.indices { answer(taken[index], decided[index]) }
            return count
        }
        add(requests[0])
        let groupStarted = SystemClock.monotonicMicros()
        // More only while a delivery waits to be stored, only what is already queued, and only for a while.
        guard count < requests.count, waiting > 0, listenerHasConnection() else { return finish() }
        // One timer for the requests joining: a connection that sends its records or its body slowly
        // is cut short by it (its read returns EINTR), and the group ends there.
        GroupDeadline.arm(milliseconds: FastCGIWorker.groupTakeMilliseconds)
        while count < requests.count, waiting > 0,
            SystemClock.monotonicMicros() - groupStarted < FastCGIWorker.groupBudgetMicros
        {
            // Nothing queued (any more, or another worker took it): the accept fails at once.
            guard FCGX_Accept_r(requests[count]) >= 0 else { break }
            count += 1
            // Records cut short by the timer can still make an accept that succeeds (libfcgi reads the
            // parameters to an end of stream, and an interrupted read is one): answered 503, never read.
            if let input = requests[count - 1].pointee.in, FCGX_GetError(input) != 0 {
                taken.append(Taken(request: requests[count - 1]))
                decided.append(
                    FastCGIWorker.cutShort(started: RequestProcessor.now(), clock: SystemClock.monotonicMicros()))
                break
            }
            // A body that does not arrive in time is answered 503 (try again), and ends the group: it is
            // the last one taken, so the answers before it do not wait on its connection's close. The
            // timer repeats, so a signal that comes between two reads still cuts the next one short.
            add(requests[count - 1], bounded: true)
            if GroupDeadline.expired { break }
        }
        GroupDeadline.disarm()
        return finish()
    }

    /// Whether the listener has a connection waiting (never waits).
    private func listenerHasConnection() -> Bool {
        var entry = pollfd(fd: listenDescriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0 && entry.revents & Int16(POLLIN) != 0
    }

    /// A request processed and not answered yet.
    private struct Taken {
        let request: UnsafeMutablePointer<FCGX_Request>
    }

    /// Reads and processes an accepted request; a status page is answered at once (`nil`).
    /// `bounded`: taken under `GroupDeadline`, whose signal cuts a body read short (answered 503).
    private func take(_ request: UnsafeMutablePointer<FCGX_Request>, bounded: Bool = false) -> (
        Taken, RequestProcessor.Decided
    )? {
        let parameters = copyParameters(request)
        let input = request.pointee.in
        scoring?.started(clock: SystemClock.monotonicMicros())
        if let scoring, let page = scoring.page(for: parameters) {
            FastCGIWorker.drain(input, upTo: FastCGIWorker.drainLimit)
            write(page.cgiBytes, to: request.pointee.out)
            end(request)
            scoring.notCounted()
            return nil
        }
        var bodyCut = false
        let decided = processor.decide(
            parameters: parameters,
            readBody: { limit in
                let body = FastCGIWorker.read(input, upTo: limit)
                // Only the group's timer is unblocked here: an interrupted read is its doing.
                if bounded, let input, FCGX_GetError(input) == EINTR { bodyCut = true }
                return body
            },
            discardBody: { declared in
                FastCGIWorker.drain(input, upTo: min(declared ?? FastCGIWorker.drainLimit, FastCGIWorker.drainLimit))
            })
        if bodyCut, decided.pending == nil {
            // Not the sender's fault: nothing stored, and it may try again at once.
            return (
                Taken(request: request), processor.replaced(decided, with: FastCGIWorker.cutShort)
            )
        }
        return (Taken(request: request), decided)
    }

    /// Logs and writes the answer of a taken request (its delivery stored), and ends it.
    private func answer(_ taken: Taken, _ decided: RequestProcessor.Decided) {
        processor.log(decided)
        let outcome = decided.outcome
        let request = taken.request
        write(outcome.response.cgiBytes, to: request.pointee.out)
        if copyWarningsToWebServer, outcome.severity != .info {
            write(
                Array("winkhook: \(outcome.response.status) \(LogText.safe(outcome.message, limit: 1000))\n".utf8),
                to: request.pointee.err)
        }
        // Counted before the answer leaves (libfcgi buffers it until the finish): a status page asked
        // for after this answer arrived, by whichever worker, already counts it.
        scoring?.finished(
            outcome, microseconds: SystemClock.monotonicMicros() - decided.clock,
            now: RequestProcessor.now().microseconds
        )
        // Flush and end the request here, still with the stop signals blocked (the next accept would
        // do it otherwise, where a signal could cut the flush short).
        end(request)
    }

    /// Flushes and ends a request (a second finish is a no-op). With group commit its connection is
    /// closed too: a group's requests come from new connections, and one the web server keeps open
    /// (`fastcgi_keep_conn on`) would otherwise wait, unread, for this place's next group.
    ///
    /// A connection whose request was read to its end (libfcgi saw the record that ends the body, and
    /// nothing more waits on the socket) is closed at once. libfcgi's own close shuts the connection
    /// down and then waits (up to 2 s) for the web server to close its end, which made each answer of a
    /// group wait for the web server to take the one before. That linger is kept wherever the web
    /// server may still be sending (a body cut short by the group's timer, one over the limit or not
    /// drained): closed under it, its writes would fail, and over TCP the answer could be reset.
    private func end(_ request: UnsafeMutablePointer<FCGX_Request>) {
        let closing = grouping || request.pointee.keepConnection == 0
        if closing, let input = request.pointee.in, FCGX_HasSeenEOF(input) == EOF, FCGX_GetError(input) == 0,
            FastCGIWorker.nothingUnread(on: request.pointee.ipcFd)
        {
            request.pointee.detached = 1
        }
        FCGX_Finish_r(request)
        if grouping { FCGX_Free(request, 1) }
        request.pointee.detached = 0
    }

    /// Whether the connection has no data waiting to be read (or is closed by its peer already).
    static func nothingUnread(on descriptor: Int32) -> Bool {
        guard descriptor >= 0 else { return false }
        var byte: UInt8 = 0
        let peeked = recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return peeked == 0 || (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    }

    /// The answer to a request of a group whose records or body did not arrive in time (nothing stored).
    static let cutShort = Outcome(
        .unavailable(retryAfter: 1, code: "request_timeout"), webhook: nil,
        "the request did not arrive in the \(groupTakeMilliseconds) ms its group waits for the requests joining it; nothing stored",
        severity: .warning)

    /// A decision for a request whose records were cut short (nothing of it was read).
    static func cutShort(started: Timestamp, clock: Int64) -> RequestProcessor.Decided {
        RequestProcessor.Decided(outcome: cutShort, pending: nil, head: nil, started: started, clock: clock)
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
    private func copyParameters(_ request: UnsafeMutablePointer<FCGX_Request>) -> [(String, String)] {
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
        if filled == limit { lookForEnd(stream) }
        return body
    }

    /// After a read that stopped at its limit: takes the record that ends the body when it is there
    /// (libfcgi has usually read it with the body's last bytes), so `end` knows the request was read
    /// whole. A byte past the limit is taken instead, and the request is then not at its end.
    static func lookForEnd(_ stream: UnsafeMutablePointer<FCGX_Stream>) {
        if FCGX_HasSeenEOF(stream) != EOF { _ = FCGX_GetChar(stream) }
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
        if total == limit { lookForEnd(stream) }
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
