/// The whole pool's numbers at one moment, summed over every slot.
public struct ScoreboardSnapshot: Sendable {
    public struct Count: Sendable, Equatable {
        public var webhook: String?
        public var cause: Cause
        public var value: Int
    }

    public var startedAt: Int64
    public var supervisor: Int
    public var workersTotal = 0
    public var workersActive = 0
    public var maxActive: Int
    public var restarts: Int
    public var spawned: Int
    public var accepted = 0
    public var slow = 0
    public var storageErrors = 0
    public var pointsStored = 0
    /// Writes that stored a group of requests' deliveries together (group commit), and those deliveries.
    public var groupStores = 0
    public var groupDeliveries = 0
    /// Unix microseconds of the last write PostgreSQL took, and of the last it failed (0: none).
    public var storageLastOK: Int64 = 0
    public var storageLastFailed: Int64 = 0
    public var durationSumMicroseconds = 0
    /// Requests per latency bucket (not cumulative), the last one unbounded.
    public var buckets = [Int](repeating: 0, count: ScoreboardLayout.bucketBounds.count + 1)
    /// Non-zero counts by webhook and cause, webhooks in table order, `nil` (no webhook) last.
    public var counts: [Count] = []
    /// The longest a request in progress has been running, in microseconds.
    public var longestActiveMicroseconds: Int64 = 0

    public var workersIdle: Int { workersTotal - workersActive }
    public static var bucketBounds: [Double] { ScoreboardLayout.bucketBounds }

    /// Requests by status (`other` causes are left out), ascending.
    public var byStatus: [(status: Int, count: Int)] {
        var totals: [Int: Int] = [:]
        for count in counts { if let status = count.cause.status { totals[status, default: 0] += count.value } }
        return totals.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Requests by cause, in the cause table's order.
    public var byCause: [(cause: Cause, count: Int)] {
        var totals = [Int](repeating: 0, count: Cause.allCases.count)
        for count in counts { totals[count.cause.rawValue] += count.value }
        return Cause.allCases.compactMap { totals[$0.rawValue] > 0 ? ($0, totals[$0.rawValue]) : nil }
    }

    /// Whether PostgreSQL took the most recent write a worker tried (`nil`: no write yet).
    public var storageUp: Bool? {
        if storageLastOK == 0, storageLastFailed == 0 { return nil }
        return storageLastOK >= storageLastFailed
    }
}

extension Scoreboard {
    /// Sums every slot now: `now` on the wall clock (unix microseconds), `clock` on the monotonic one
    /// (how long the requests in progress have been running).
    public func snapshot(now: Int64, clock: Int64) -> ScoreboardSnapshot {
        var snapshot = ScoreboardSnapshot(
            startedAt: startedAt, supervisor: load(ScoreboardLayout.supervisorWord),
            maxActive: load(ScoreboardLayout.maxActiveWord), restarts: load(ScoreboardLayout.restartsWord),
            spawned: load(ScoreboardLayout.spawnedWord))
        let causes = Cause.allCases.count
        var counters = [Int](repeating: 0, count: ScoreboardLayout.counterCount)
        for slot in 0..<ScoreboardLayout.slotCount {
            let slotBase = ScoreboardLayout.slotBase(slot)
            let state = load(slotBase + ScoreboardLayout.stateWord)
            if state != SlotState.free.rawValue {
                snapshot.workersTotal += 1
                if state == SlotState.active.rawValue {
                    snapshot.workersActive += 1
                    let started = Int64(load(slotBase + ScoreboardLayout.requestStartedWord))
                    snapshot.longestActiveMicroseconds = max(snapshot.longestActiveMicroseconds, clock - started)
                }
            }
            let requests = load(slotBase + ScoreboardLayout.requestsWord)
            guard requests > 0 else { continue }
            snapshot.accepted += requests
            snapshot.slow += load(slotBase + ScoreboardLayout.slowWord)
            snapshot.storageErrors += load(slotBase + ScoreboardLayout.storageErrorsWord)
            snapshot.pointsStored += load(slotBase + ScoreboardLayout.pointsWord)
            snapshot.groupStores += load(slotBase + ScoreboardLayout.groupStoresWord)
            snapshot.groupDeliveries += load(slotBase + ScoreboardLayout.groupDeliveriesWord)
            snapshot.storageLastOK = max(snapshot.storageLastOK, Int64(load(slotBase + ScoreboardLayout.storageOKWord)))
            snapshot.storageLastFailed = max(
                snapshot.storageLastFailed, Int64(load(slotBase + ScoreboardLayout.storageFailedWord)))
            snapshot.durationSumMicroseconds += load(slotBase + ScoreboardLayout.durationSumWord)
            for bucket in snapshot.buckets.indices {
                snapshot.buckets[bucket] += load(slotBase + ScoreboardLayout.histogramWord + bucket)
            }
            for index in counters.indices { counters[index] += load(slotBase + ScoreboardLayout.countersWord + index) }
        }
        for webhook in 0...ScoreboardLayout.webhookCapacity {
            let name: String? = webhook == ScoreboardLayout.webhookCapacity ? nil : webhookName(at: webhook)
            for cause in Cause.allCases {
                let value = counters[webhook * causes + cause.rawValue]
                if value > 0 { snapshot.counts.append(.init(webhook: name, cause: cause, value: value)) }
            }
        }
        return snapshot
    }
}
