import PostgresStore
import WebhookCore

/// The period a `stats` or `report` question covers: `[since, until)` in UTC, aligned to whole buckets of
/// its grouping (hours when grouped by hour, else days), so that rollups answer it exactly.
public struct Period: Sendable, Equatable {
    public var since: Timestamp
    public var until: Timestamp

    public init(since: Timestamp, until: Timestamp) {
        self.since = since
        self.until = until
    }

    /// The period from the command line: `--last N{h,d,w,m}` (ending with the current bucket), or
    /// `--since`/`--until` dates (`YYYY-MM-DD`, until exclusive), default the last 30 days.
    /// - Throws: `PeriodError` for text that is no length or date, or an empty period.
    public static func parse(last: String?, since: String?, until: String?, grouping: Grouping, now: Timestamp)
        throws(PeriodError) -> Period
    {
        let step: Int64 = grouping == .hour ? 3_600 : 86_400
        let end: Int64
        if let until {
            guard let time = Timestamp(iso8601: until) else { throw PeriodError("--until \(until) is no date") }
            end = Period.ceil(time.seconds, step)
        } else {
            end = Period.floor(now.seconds, step) + step
        }
        let start: Int64
        if let since {
            guard let time = Timestamp(iso8601: since) else { throw PeriodError("--since \(since) is no date") }
            start = Period.floor(time.seconds, step)
        } else {
            let length = try Period.length(last ?? "30d")
            start = Period.floor(end - length, step)
        }
        guard start < end else { throw PeriodError("the period is empty (since must be before until)") }
        return Period(since: Timestamp(seconds: start), until: Timestamp(seconds: end))
    }

    /// `48h`, `30d`, `12w`, `6m` (30-day months) in seconds.
    static func length(_ text: String) throws(PeriodError) -> Int64 {
        guard let unit = text.last, let count = Int64(text.dropLast()), count > 0, count <= 100_000 else {
            throw PeriodError("--last \(text) is no length (like 48h, 30d, 12w, 6m)")
        }
        switch unit {
        case "h": return count * 3_600
        case "d": return count * 86_400
        case "w": return count * 7 * 86_400
        case "m": return count * 30 * 86_400
        default: throw PeriodError("--last \(text) is no length (like 48h, 30d, 12w, 6m)")
        }
    }

    /// The period of the same length just before this one.
    public var previous: Period {
        Period(
            since: Timestamp(microseconds: 2 * since.microseconds - until.microseconds), until: since)
    }

    /// Whole days in the period.
    public var days: Int { Int((until.seconds - since.seconds + 86_399) / 86_400) }

    /// `2026-08-01 – 2026-08-30` (until shown inclusive) or with hours when not whole days.
    public var label: String {
        let wholeDays = since.seconds % 86_400 == 0 && until.seconds % 86_400 == 0
        if wholeDays {
            return "\(CalendarDay(since)) – \(CalendarDay(Timestamp(seconds: until.seconds - 86_400)))"
        }
        return "\(since.iso8601.prefix(16))Z – \(until.iso8601.prefix(16))Z"
    }

    static func floor(_ value: Int64, _ step: Int64) -> Int64 {
        value >= 0 ? value / step * step : ((value - step + 1) / step) * step
    }

    static func ceil(_ value: Int64, _ step: Int64) -> Int64 { floor(value + step - 1, step) }
}

/// A period the command line cannot mean.
public struct PeriodError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
