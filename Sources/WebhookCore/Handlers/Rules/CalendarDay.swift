/// A calendar date (UTC), read from `YYYY-MM-DD` or the date part of a date-time.
public struct CalendarDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public let number: Int

    /// The day of a JSON string holding a date or date-time; `nil` for anything else.
    public init?(_ value: JSONValue?) {
        guard let text = value?.stringValue, let time = Timestamp(iso8601: text) else { return nil }
        self.init(time)
    }

    /// The UTC day of `time`.
    public init(_ time: Timestamp) {
        let seconds = time.seconds
        self.number = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
    }

    /// A day from its number.
    public init(number: Int) {
        self.number = number
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (year, month, day) = Timestamp.civilFromDays(number)
        guard (0...9999).contains(year) else {
            return String(Timestamp(seconds: Int64(number) * 86_400).iso8601.prefix(10))
        }
        return String(unsafeUninitializedCapacity: 10) { out in
            Timestamp.writeDate(year, month, day, into: out)
            return 10
        }
    }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool { lhs.number < rhs.number }
}
