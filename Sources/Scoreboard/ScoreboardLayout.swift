/// Where everything lives in the shared scoreboard: 8-byte words, a header page, then one slot per
/// worker place. A slot outlives the worker in it: a replacement takes the same slot and keeps
/// counting, so the counters only ever grow while `serve` runs.
enum ScoreboardLayout {
    static let magic = 0x5749_4E4B_5342_0003  // "WINKSB" and the layout's version
    static let slotCount = 64
    static let webhookCapacity = 32
    /// Bytes of a webhook name kept (longer names share a place with whatever else starts the same).
    static let nameBytes = 56

    // Header words.
    static let magicWord = 0
    static let startedWord = 1  // unix microseconds
    static let supervisorWord = 2  // pid
    static let restartsWord = 3  // workers that died and were replaced
    static let spawnedWord = 4  // workers started
    static let maxActiveWord = 5
    static let webhookTableWord = 16
    /// Each webhook entry: a state word (0 free, 1 being written, 2 ready) and the name.
    static let webhookEntryWords = 1 + nameBytes / 8
    static let headerWords = 512

    // Slot words.
    static let pidWord = 0
    static let stateWord = 1  // SlotState
    static let slotStartedWord = 2
    static let requestsWord = 3
    static let requestStartedWord = 4  // monotonic microseconds
    static let slowWord = 5
    static let storageOKWord = 6  // unix microseconds of the last write PostgreSQL took
    static let storageFailedWord = 7  // ... and of the last it failed
    static let storageErrorsWord = 8
    static let durationSumWord = 9  // microseconds
    static let histogramWord = 10
    /// Upper bounds of the latency histogram, in seconds (and a last, infinite bucket).
    static let bucketBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// Time-series points written.
    static let pointsWord = histogramWord + bucketBounds.count + 1
    /// Writes that stored a group of requests' deliveries together (group commit), and those deliveries.
    static let groupStoresWord = pointsWord + 1
    static let groupDeliveriesWord = groupStoresWord + 1
    static let countersWord = groupDeliveriesWord + 1
    /// Requests by webhook (one more place for "none": no webhook matched) and cause.
    static let counterCount = (webhookCapacity + 1) * Cause.allCases.count
    static let slotWords = 1024

    static let totalWords = headerWords + slotCount * slotWords
    static var totalBytes: Int { totalWords * 8 }

    static func slotBase(_ slot: Int) -> Int { headerWords + slot * slotWords }
    static func counterWord(webhook: Int, cause: Cause) -> Int {
        countersWord + webhook * Cause.allCases.count + cause.rawValue
    }
}

/// What a slot's worker is doing.
public enum SlotState: Int, Sendable {
    case free = 0, idle = 2, active = 3
}
