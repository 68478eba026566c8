/// A strict RFC 8259 parser over raw bytes.
///
/// Why not `JSONDecoder`: the core must keep numbers exact (money), accept any shape (Wink publishes
/// none), bound nesting depth, and refuse what PostgreSQL `jsonb` cannot store (`\u0000`, unpaired
/// surrogates, invalid UTF-8, numbers out of `numeric` range), so that a body accepted here is a body
/// the archive can hold. It never traps on input.
public struct JSONParser {
    /// Nesting deeper than this is rejected.
    public static let maximumDepth = 128

    /// Parses `bytes` as one JSON text, building the values `projection` keeps (all of them by default).
    /// What it does not keep is checked just as strictly: the same texts are refused, with the same errors.
    /// - Throws: `JSONParseError` with the byte offset and what was wrong.
    public static func parse(_ bytes: [UInt8], keeping projection: JSONProjection = .whole) throws(JSONParseError)
        -> JSONValue
    {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer, projection: projection.table)
            parser.skipWhitespace()
            do throws(JSONParseError) {
                let value = try parser.parseValue(depth: 0, keeping: projection.table.root)
                parser.skipWhitespace()
                guard parser.index == buffer.count else {
                    throw parser.error("trailing characters after the JSON value")
                }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The input, valid for the parse: `parse` holds the array's storage while a parser exists.
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    /// What to build.
    private let projection: JSONProjection.Table

    private init(bytes: UnsafeBufferPointer<UInt8>, projection: JSONProjection.Table) {
        self.bytes = bytes
        self.projection = projection
    }

    /// `keeping:` of a value nothing of which is built.
    private static let nothing: Int32 = -1

    private func error(_ reason: String) -> JSONParseError {
        JSONParseError(offset: index, reason: reason)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// One value; `node` (of `projection`) says what of it to build: `nothing` (it is checked and
    /// `.null` returned), a whole node all of it, else the kept members of an object (anything else is
    /// `.null`).
    private mutating func parseValue(depth: Int, keeping node: Int32) throws(JSONParseError) -> JSONValue {
        guard depth < JSONParser.maximumDepth else { throw error("nesting deeper than \(JSONParser.maximumDepth)") }
        guard index < bytes.count else { throw error("unexpected end of input") }
        let build = node >= 0 && projection.isWhole(node)
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth, keeping: node)
        case UInt8(ascii: "["): return try parseArray(depth: depth, build: build)
        case UInt8(ascii: "\""):
            let string = try scanString()
            return build ? .string(text(of: string)) : .null
        case UInt8(ascii: "t"): return try literal("true", build ? .bool(true) : .null)
        case UInt8(ascii: "f"): return try literal("false", build ? .bool(false) : .null)
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let number = try parseNumber()
            return build ? .number(String(decoding: number, as: UTF8.self)) : .null
        default: throw error("unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of input") }
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
        for k in 0..<count where bytes[index + k] != expected[k] {
            throw error("invalid literal")
        }
        index += count
        return value
    }

    private mutating func parseObject(depth: Int, keeping node: Int32) throws(JSONParseError) -> JSONValue {
        index += 1
        var members = JSONObject()
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return node < 0 ? .null : .object(members)
        }
        let build = node >= 0 && projection.isWhole(node)
        if build { members.reserve(4) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let name = try scanString()
            var key = ""
            var kept = JSONParser.nothing
            if build {
                key = text(of: name)
                kept = node
            } else if node >= 0 {
                let entry = name.withBytes { projection.entry(of: node, named: $0) }
                if entry >= 0 {
                    key = projection.keys[entry]
                    kept = projection.entries[entry].node
                }
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth + 1, keeping: kept)
            if kept >= 0 { members.insert(key, value) }  // the last duplicate wins, as in jsonb
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw error("expected ',' or '}'") }
            index += 1
            return node < 0 ? .null : .object(members)
        }
    }

    private mutating func parseArray(depth: Int, build: Bool) throws(JSONParseError) -> JSONValue {
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return build ? .array(elements) : .null
        }
        while true {
            skipWhitespace()
            let element = try parseValue(depth: depth + 1, keeping: build ? 0 : JSONParser.nothing)
            if build { elements.append(element) }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { throw error("expected ',' or ']'") }
            index += 1
            return build ? .array(elements) : .null
        }
    }

    /// A number's text, checked.
    private mutating func parseNumber() throws(JSONParseError) -> UnsafeBufferPointer<UInt8> {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var negative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                negative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
            var exponent = 0
            while index < bytes.count, isDigit(bytes[index]) {
                exponent = min(exponent * 10 + Int(bytes[index] - 48), 1_000_000)
                index += 1
            }
            // PostgreSQL numeric holds at most 131072 digits before and 16383 after the point.
            guard exponent <= (negative ? 16_000 : 100_000) else { throw error("number out of range") }
        }
        guard index - start <= 1000 else { throw error("number too long") }
        return UnsafeBufferPointer(rebasing: bytes[start..<index])
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    /// A checked string: its bytes between the quotes and, when it has escapes, its decoded bytes.
    private struct ScannedString {
        var raw: UnsafeBufferPointer<UInt8>
        var decoded: [UInt8]?

        /// `body` applied to the string's UTF-8.
        func withBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
            guard let decoded else { return body(raw) }
            return decoded.withUnsafeBufferPointer(body)
        }
    }

    /// Checks the string at `index` (on its quote) and moves past it. Nothing is allocated for a string
    /// without escapes (nearly all of them); one with escapes is decoded into a buffer.
    private mutating func scanString() throws(JSONParseError) -> ScannedString {
        index += 1
        let start = index
        var out: [UInt8] = []  // no allocation until an escape appends to it
        var escaped = false
        var runStart = index
        var ascii = true
        while true {
            if index + 8 <= bytes.count {
                let special = JSONParser.specialBytes(bytes, at: index)
                if special == 0 {
                    index += 8
                    continue
                }
                index += special.trailingZeroBitCount >> 3  // the first one is truly special
            }
            guard index < bytes.count else { throw error("unterminated string") }
            let c = bytes[index]
            if c == UInt8(ascii: "\"") { break }
            if c < 0x20 { throw error("control character in string") }
            if c == UInt8(ascii: "\\") {
                escaped = true
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                try parseEscape(into: &out)
                runStart = index
                continue
            }
            ascii = ascii && c < 0x80
            index += 1
        }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
        let run = UnsafeBufferPointer(rebasing: bytes[runStart..<index])
        index += 1
        // Escapes are ASCII, so the text is valid UTF-8 exactly when its raw bytes are.
        guard ascii || UTF8Validation.isValid(raw) else { throw error("invalid UTF-8 in string") }
        guard escaped else { return ScannedString(raw: raw, decoded: nil) }
        out.append(contentsOf: run)
        return ScannedString(raw: raw, decoded: out)
    }

    /// The bytes among the 8 at `offset` that are not plain string text (a quote, a backslash, a control
    /// character, or not ASCII), as the high bit of each: 0 when all are plain, as most of a body is. A
    /// byte above a special one may be flagged too, but the lowest flag is always a special byte.
    @inline(__always)
    private static func specialBytes(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt64 {
        let word = UInt64(
            littleEndian: UnsafeRawBufferPointer(bytes).loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func zeroBytes(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & highs }
        let quote = zeroBytes(word ^ (ones &* 0x22))
        let backslash = zeroBytes(word ^ (ones &* 0x5C))
        let control = (word &- ones &* 0x20) & ~word & highs  // below 0x20
        return quote | backslash | control | word & highs
    }

    /// The text of a checked string (valid UTF-8: nothing is repaired).
    private func text(of string: ScannedString) -> String {
        string.withBytes { String(decoding: $0, as: UTF8.self) }
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(JSONParseError) {
        index += 1
        guard index < bytes.count else { throw error("unterminated escape") }
        let c = bytes[index]
        index += 1
        switch c {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "/"): out.append(0x2F)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if scalar == 0 { throw error("\\u0000 cannot be stored by PostgreSQL jsonb") }
            if (0xD800...0xDBFF).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw error("unpaired surrogate") }
                index += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error("unpaired surrogate")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid escape") }
            out.append(contentsOf: String(Character(unicode)).utf8)
        default:
            throw error("invalid escape")
        }
    }

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 65...70: d = UInt32(c - 55)
            case 97...102: d = UInt32(c - 87)
            default: throw error("invalid \\u escape")
            }
            v = v << 4 | d
            index += 1
        }
        return v
    }
}

/// Why a body is not JSON this endpoint can accept.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset where parsing stopped.
    public var offset: Int
    /// What was wrong, safe to log.
    public var reason: String

    public var description: String { "\(reason) at byte \(offset)" }
}
