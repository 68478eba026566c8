import WebhookCore

/// PostgreSQL's binary (send/receive) forms, written into one growing buffer: the fields of a binary
/// `COPY` (`EventCopyRows`) and binary array parameters (`BinaryArray`). Integers are big-endian; times count from
/// PostgreSQL's epoch, 2000-01-01 UTC.
struct BinaryWriter: ~Copyable {
    // Its own memory, not an `[UInt8]`: a row is some eighty small writes, and each `Array` append
    // checks uniqueness and capacity through a generic call (a fifth of a drainer's time).
    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    /// The bytes written so far.
    private(set) var count = 0

    init(capacity: Int = 0) {
        self.capacity = max(capacity, 256)
        base = .allocate(byteCount: self.capacity, alignment: 8)
    }

    deinit { base.deallocate() }

    /// A copy of what was written.
    var bytes: [UInt8] { Array(UnsafeRawBufferPointer(start: base, count: count)) }

    /// Calls `body` with what was written (valid for the call).
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Empties it, keeping its memory.
    mutating func removeAll() {
        count = 0
    }

    private mutating func reserve(_ more: Int) {
        guard count + more > capacity else { return }
        let grown = max(capacity * 2, count + more)
        let next = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 8)
        next.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = next
        capacity = grown
    }

    private mutating func put<T: FixedWidthInteger>(_ value: T) {
        reserve(MemoryLayout<T>.size)
        base.storeBytes(of: value.bigEndian, toByteOffset: count, as: T.self)
        count += MemoryLayout<T>.size
    }

    mutating func byte(_ value: UInt8) {
        put(value)
    }

    mutating func int16(_ value: Int16) {
        put(value)
    }

    mutating func int32(_ value: Int32) {
        put(value)
    }

    mutating func int64(_ value: Int64) {
        put(value)
    }

    mutating func append(_ raw: UnsafeRawBufferPointer) {
        guard let source = raw.baseAddress, raw.count > 0 else { return }
        reserve(raw.count)
        (base + count).copyMemory(from: source, byteCount: raw.count)
        count += raw.count
    }

    mutating func append(_ raw: [UInt8]) {
        raw.withUnsafeBytes { append($0) }
    }

    mutating func append(_ text: String) {
        // Read in place (a native string's bytes are contiguous): a mutable copy for `withUTF8` cost a
        // retain and a release for every text field of every row.
        if text.utf8.withContiguousStorageIfAvailable({ append(UnsafeRawBufferPointer($0)) }) != nil { return }
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// A value preceded by its length (int32), as a `COPY` field and an array element are: `write` puts
    /// the value, its length is filled in after.
    mutating func sized(_ write: (inout BinaryWriter) -> Void) {
        let start = count
        int32(0)
        write(&self)
        base.storeBytes(of: Int32(count - start - 4).bigEndian, toByteOffset: start, as: Int32.self)
    }

    /// SQL NULL where a sized value goes.
    mutating func null() {
        int32(-1)
    }

    // MARK: - Types

    /// µs between the Unix epoch and PostgreSQL's.
    static let epochOffsetMicros: Int64 = 946_684_800_000_000
    /// Days between the Unix epoch and PostgreSQL's.
    static let epochOffsetDays = 10_957

    /// `timestamptz`: µs since 2000-01-01 UTC.
    mutating func timestamp(_ time: Timestamp) {
        int64(time.microseconds - BinaryWriter.epochOffsetMicros)
    }

    /// `date`: days since 2000-01-01.
    mutating func date(_ day: CalendarDay) {
        int32(Int32(truncatingIfNeeded: day.number - BinaryWriter.epochOffsetDays))
    }

    /// `jsonb`: a version byte, then the JSON text (the server parses it as it does `jsonb`'s text input).
    mutating func jsonb(_ text: String) {
        byte(1)
        append(text)
    }

    /// `numeric` (`numeric_send`'s form) of a JSON number: digit count, weight, sign, display scale, then
    /// base-10000 digits, most significant first. The same value and scale as `numeric`'s text input
    /// gives (`540.00` keeps its two decimals, `1.5e-3` is 0.0015 with scale 4).
    mutating func numeric(_ number: DecimalText) {
        var text = number.text
        text.withUTF8 { numeric(utf8: $0) }
    }

    private mutating func numeric(utf8 text: UnsafeBufferPointer<UInt8>) {
        // A whole number below 10,000 (a count, nights, rooms) is one base-10000 digit.
        if text.count <= 4, text.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            let value = text.reduce(Int16(0)) { $0 * 10 + Int16($1 - UInt8(ascii: "0")) }
            int16(value == 0 ? 0 : 1)  // digits
            int16(0)  // weight
            int16(0)  // sign
            int16(0)  // scale
            if value != 0 { int16(value) }
            return
        }
        // Where the integer digits, the fraction's digits and the exponent are in `text`.
        var negative = false
        var at = 0
        if at < text.count, text[at] == UInt8(ascii: "-") {
            negative = true
            at += 1
        }
        let integerStart = at
        while at < text.count, text[at] >= UInt8(ascii: "0"), text[at] <= UInt8(ascii: "9") { at += 1 }
        let beforePoint = at - integerStart
        var fractionStart = at
        if at < text.count, text[at] == UInt8(ascii: ".") {
            at += 1
            fractionStart = at
            while at < text.count, text[at] >= UInt8(ascii: "0"), text[at] <= UInt8(ascii: "9") { at += 1 }
        }
        let afterPoint = at - fractionStart
        var exponent = 0
        if at < text.count, text[at] | 0x20 == UInt8(ascii: "e") {
            at += 1
            var exponentNegative = false
            if at < text.count, text[at] == UInt8(ascii: "-") || text[at] == UInt8(ascii: "+") {
                exponentNegative = text[at] == UInt8(ascii: "-")
                at += 1
            }
            while at < text.count, text[at] >= UInt8(ascii: "0"), text[at] <= UInt8(ascii: "9") {
                exponent = min(exponent * 10 + Int(text[at] - UInt8(ascii: "0")), 100_000)
                at += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        let count = beforePoint + afterPoint
        /// The i-th digit of the number, integer digits first.
        func digit(_ i: Int) -> Int16 {
            Int16(text[i < beforePoint ? integerStart + i : fractionStart + i - beforePoint] - UInt8(ascii: "0"))
        }
        let scale = Int16(truncatingIfNeeded: max(0, afterPoint - exponent))
        let point = beforePoint + exponent  // digit i is worth 10^(point - 1 - i)
        var first = 0
        while first < count, digit(first) == 0 { first += 1 }
        var last = count - 1
        while last >= first, digit(last) == 0 { last -= 1 }
        guard first <= last else {
            // Zero: no digits, weight 0, positive, its scale.
            int16(0)
            int16(0)
            int16(0)
            int16(scale)
            return
        }
        func group(of power: Int) -> Int { power >= 0 ? power / 4 : -((-power + 3) / 4) }
        let high = group(of: point - 1 - first)
        let low = group(of: point - 1 - last)
        int16(Int16(truncatingIfNeeded: high - low + 1))
        int16(Int16(truncatingIfNeeded: high))
        int16(negative ? 0x4000 : 0)
        int16(scale)
        for index in stride(from: high, through: low, by: -1) {
            var value: Int16 = 0
            for power in stride(from: index * 4 + 3, through: index * 4, by: -1) {
                let i = point - 1 - power
                value = value * 10 + (i >= first && i <= last ? digit(i) : 0)
            }
            int16(value)
        }
    }

    /// A one-dimensional array (`array_send`'s form) of elements of type `oid`, each written by `write`
    /// (`nil` is NULL). An empty one is read as `'{}'`.
    mutating func array<T>(_ elements: [T?], oid: UInt32, _ write: (inout BinaryWriter, T) -> Void) {
        arrayHeader(count: elements.count, oid: oid, hasNull: elements.contains { $0 == nil })
        for element in elements {
            if let element { sized { write(&$0, element) } } else { null() }
        }
    }

    /// What comes before the elements of a one-dimensional array; each element follows as a sized value
    /// or a NULL.
    mutating func arrayHeader(count: Int, oid: UInt32, hasNull: Bool) {
        int32(1)  // dimensions
        int32(hasNull ? 1 : 0)
        int32(Int32(bitPattern: oid))
        int32(Int32(count))
        int32(1)  // lower bound
    }

    /// The types of array elements (`pg_type.oid`).
    static let textOID: UInt32 = 25
    static let numericOID: UInt32 = 1700
    static let timestamptzOID: UInt32 = 1184
}
