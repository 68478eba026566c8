/// Reads a NULL-terminated array of `NAME=value` C strings (`environ`, FastCGI `envp`) into Swift pairs,
/// copying every byte: the C memory may be freed right after.
public enum CStringPairs {
    /// The pairs in order; entries without `=` are skipped. Invalid UTF-8 is repaired, never trapped on.
    public static func read(_ array: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [(String, String)] {
        var pairs: [(String, String)] = []
        guard var cursor = array else { return pairs }
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                pairs.append((String(text[..<equals]), String(text[text.index(after: equals)...])))
            }
            cursor += 1
        }
        return pairs
    }
}
