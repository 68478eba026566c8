/// Text from a request made safe for a log line: control characters escaped, length capped, so nobody
/// can forge a line or flood the log.
public enum LogText {
    /// The default cap, in bytes of the escaped text.
    public static let defaultLimit = 512

    /// `text` with `\n`, `\r`, `\t`, other C0/C1 controls, DEL, `\` and line/paragraph separators
    /// escaped (`\u{…}`), cut at `limit` bytes with `…` when longer.
    public static func safe(_ text: String, limit: Int = defaultLimit) -> String {
        // Most text (our own messages) is printable ASCII within the limit: one scan of its bytes, no copy.
        var text = text
        let plain = text.withUTF8 { bytes in
            bytes.count <= limit && !bytes.contains { $0 < 0x20 || $0 >= 0x7F || $0 == 0x5C }
        }
        return plain ? text : escaped(text, limit: limit)
    }

    /// `safe` for a part of a string.
    public static func safe(_ text: Substring, limit: Int = defaultLimit) -> String {
        safe(String(text), limit: limit)
    }

    static func escaped(_ text: String, limit: Int) -> String {
        var out = ""
        out.reserveCapacity(min(text.utf8.count, limit) + 8)
        var bytes = 0
        for scalar in text.unicodeScalars {
            let piece: String
            switch scalar.value {
            case 0x0A: piece = "\\n"
            case 0x0D: piece = "\\r"
            case 0x09: piece = "\\t"
            case 0x5C: piece = "\\\\"
            case 0x00..<0x20, 0x7F..<0xA0, 0x2028, 0x2029, 0xFEFF, 0x202A...0x202E, 0x2066...0x2069:
                piece = "\\u{" + String(scalar.value, radix: 16) + "}"
            default: piece = String(scalar)
            }
            if bytes + piece.utf8.count > limit {
                out += "…"
                return out
            }
            out += piece
            bytes += piece.utf8.count
        }
        return out
    }
}
