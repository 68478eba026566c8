import Glibc

/// Text for stderr without stdio's shared `FILE *` (progress, plans): one `write(2)`.
enum StandardError {
    static func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
