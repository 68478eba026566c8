import Glibc

/// Small file helpers (no Foundation on the request path).
public enum FileReading {
    /// The whole file as UTF-8 text (invalid UTF-8 is repaired).
    static func text(at path: String) throws(ConfigurationError) -> String {
        String(decoding: try bytes(at: path), as: UTF8.self)
    }

    /// The whole file, at most `limit` bytes.
    /// - Throws: `ConfigurationError` naming the file and the system's reason.
    public static func bytes(at path: String, limit: Int = 4 << 20) throws(ConfigurationError) -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw ConfigurationError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes += buffer[0..<n]
            if bytes.count > limit { throw ConfigurationError("\(path) is larger than \(limit) bytes") }
        }
        return bytes
    }

    /// Whether others than the owner and group may read `path`.
    static func isWorldReadable(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return info.st_mode & S_IROTH != 0
    }
}
