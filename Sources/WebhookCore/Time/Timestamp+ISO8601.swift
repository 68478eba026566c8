extension Timestamp {
    /// Parses a real calendar date (years 1–9999, `2026-02-31` is no date) `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fraction]]` with an optional `Z` or `±HH:MM` offset.
    ///
    /// Values without a zone are read as UTC (Wink's API examples carry none). Returns `nil` for
    /// anything else; never traps.
    public init?(iso8601 text: String) {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard b.count <= 40, let year = digits(4), expect(45), let month = digits(2), expect(45),
            let day = digits(2), (1...9999).contains(year), (1...12).contains(month),
            (1...Timestamp.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var hour = 0
        var minute = 0
        var second = 0
        var micros = 0
        var offset = 0
        if i < b.count {
            guard b[i] == 84 || b[i] == 116 || b[i] == 32 else { return nil }
            i += 1
            guard let h = digits(2), expect(58), let m = digits(2), h < 24, m < 60 else { return nil }
            hour = h
            minute = m
            if expect(58) {
                guard let s = digits(2), s < 61 else { return nil }
                second = min(s, 59)
                if expect(46) || expect(44) {
                    var scale = 100_000
                    var seen = 0
                    while i < b.count, b[i] >= 48, b[i] <= 57 {
                        micros += Int(b[i] - 48) * scale
                        scale /= 10
                        seen += 1
                        i += 1
                    }
                    guard seen > 0 else { return nil }
                }
            }
            if i < b.count {
                if b[i] == 90 || b[i] == 122 {
                    i += 1
                } else if b[i] == 43 || b[i] == 45 {
                    let sign = b[i] == 45 ? -1 : 1
                    i += 1
                    guard let oh = digits(2), oh < 24 else { return nil }
                    _ = expect(58)
                    guard let om = digits(2), om < 60 else { return nil }
                    offset = sign * (oh * 3600 + om * 60)
                } else {
                    return nil
                }
            }
        }
        guard i == b.count else { return nil }
        let days = Timestamp.daysFromCivil(year: year, month: month, day: day)
        let secs = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset)
        self.init(microseconds: secs * 1_000_000 + Int64(micros))
    }

    /// The timestamp as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    public var iso8601: String {
        let secs = seconds
        let micros = Int(microseconds - secs * 1_000_000)
        var days = secs / 86_400
        var rem = secs % 86_400
        if rem < 0 {
            rem += 86_400
            days -= 1
        }
        let (y, m, d) = Timestamp.civilFromDays(Int(days))
        if (0...9999).contains(y) {
            // The usual case, written into the string's bytes: this runs several times per request.
            return String(unsafeUninitializedCapacity: 27) { out in
                Timestamp.writeDate(y, m, d, into: out)
                out[10] = UInt8(ascii: "T")
                Timestamp.writeDigits(Int(rem / 3600), count: 2, into: out, at: 11)
                out[13] = UInt8(ascii: ":")
                Timestamp.writeDigits(Int(rem % 3600 / 60), count: 2, into: out, at: 14)
                out[16] = UInt8(ascii: ":")
                Timestamp.writeDigits(Int(rem % 60), count: 2, into: out, at: 17)
                out[19] = UInt8(ascii: ".")
                Timestamp.writeDigits(micros, count: 6, into: out, at: 20)
                out[26] = UInt8(ascii: "Z")
                return 27
            }
        }
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(Int(rem / 3600), 2)):\(pad(Int(rem % 3600 / 60), 2))"
            + ":\(pad(Int(rem % 60), 2)).\(pad(micros, 6))Z"
    }

    /// `YYYY-MM-DD` into `out[0..<10]`, for a year of four digits.
    static func writeDate(_ year: Int, _ month: Int, _ day: Int, into out: UnsafeMutableBufferPointer<UInt8>) {
        writeDigits(year, count: 4, into: out, at: 0)
        out[4] = UInt8(ascii: "-")
        writeDigits(month, count: 2, into: out, at: 5)
        out[7] = UInt8(ascii: "-")
        writeDigits(day, count: 2, into: out, at: 8)
    }

    /// The last `count` decimal digits of `value` (not negative), zero-padded, into `out[at..<at+count]`.
    static func writeDigits(_ value: Int, count: Int, into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        var rest = value
        for position in stride(from: start + count - 1, through: start, by: -1) {
            out[position] = UInt8(truncatingIfNeeded: 48 + rest % 10)
            rest /= 10
        }
    }

    /// The number of days of `month` in `year` (proleptic Gregorian).
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
