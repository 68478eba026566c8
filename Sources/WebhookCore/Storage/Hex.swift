/// Lowercase hexadecimal text of bytes (digests, bytea literals, JSON escapes).
public enum Hex {
    static let digits = Array("0123456789abcdef".utf8)

    /// `bytes` as lowercase hex, two digits a byte, after `prefix`.
    public static func encode(_ bytes: some Sequence<UInt8>, prefix: String = "") -> String {
        var out = Array(prefix.utf8)
        out.reserveCapacity(out.count + bytes.underestimatedCount * 2)
        for byte in bytes { append(byte, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the two digits of `byte`.
    static func append(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
}
