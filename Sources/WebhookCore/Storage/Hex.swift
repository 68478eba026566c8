/// Hexadecimal text of bytes (digests, bytea literals, JSON escapes, hex signatures).
public enum Hex {
    static let digits = Array("0123456789abcdef".utf8)

    /// `bytes` as lowercase hex, two digits a byte, after `prefix`.
    public static func encode(_ bytes: some Sequence<UInt8>, prefix: String = "") -> String {
        bytes.withContiguousStorageIfAvailable { encode(UnsafeRawBufferPointer($0), prefix: prefix) }
            ?? Array(bytes).withUnsafeBytes { encode($0, prefix: prefix) }
    }

    /// `bytes` as lowercase hex after `prefix`, written straight into the string (a digest's hex is
    /// made for every delivery; its byte-by-byte iterator cost 120 instructions a byte).
    public static func encode(_ bytes: UnsafeRawBufferPointer, prefix: String = "") -> String {
        let head = prefix.utf8.count
        return String(unsafeUninitializedCapacity: head + bytes.count * 2) { out in
            var at = 0
            for byte in prefix.utf8 {
                out[at] = byte
                at += 1
            }
            for byte in bytes {
                out[at] = digits[Int(byte >> 4)]
                out[at + 1] = digits[Int(byte & 0x0F)]
                at += 2
            }
            return at
        }
    }

    /// Appends the two digits of `byte`.
    static func append(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }

    /// The bytes of hex `text` (either case), or `nil` for an odd length or a non-hex character.
    public static func decode(_ text: Substring) -> [UInt8]? {
        let utf8 = text.utf8
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var high: UInt8?
        for c in utf8 {
            guard let value = PercentDecoding.hexValue(c) else { return nil }
            if let h = high {
                out.append(h << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return out
    }
}
