/// Reads a NULL-terminated array of `NAME=value` C strings (`environ`, FastCGI `envp`) into Swift pairs,
/// copying every byte: the C memory may be freed right after.
public enum CStringPairs {
    /// The pairs in order; entries without `=` are skipped. Invalid UTF-8 is repaired, never trapped on.
    /// One pass over each entry's bytes (this runs for every parameter of every request).
    /// - Parameter keeping: which names to copy, asked of each name's bytes before anything is copied
    ///   (a request's head needs fewer than half the parameters a web server sends); all by default.
    public static func read(
        _ array: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
        keeping: (UnsafeBufferPointer<UInt8>) -> Bool = { _ in true }
    ) -> [(String, String)] {
        var pairs: [(String, String)] = []
        guard var cursor = array else { return pairs }
        pairs.reserveCapacity(32)  // nginx sends about 25: grown one by one, the array was copied six times
        while let entry = cursor.pointee {
            entry.withMemoryRebound(to: UInt8.self, capacity: 1) { bytes in
                var equals = 0
                while bytes[equals] != 0, bytes[equals] != UInt8(ascii: "=") { equals += 1 }
                guard bytes[equals] != 0, keeping(UnsafeBufferPointer(start: bytes, count: equals)) else { return }
                var end = equals + 1
                while bytes[end] != 0 { end += 1 }
                pairs.append(
                    (
                        String(decoding: UnsafeBufferPointer(start: bytes, count: equals), as: UTF8.self),
                        String(
                            decoding: UnsafeBufferPointer(start: bytes + equals + 1, count: end - equals - 1),
                            as: UTF8.self)
                    ))
            }
            cursor += 1
        }
        return pairs
    }
}
