extension RequestHead {
    /// Builds a request head from CGI/FastCGI parameters (RFC 3875): `REQUEST_METHOD`, `DOCUMENT_URI` or
    /// `REQUEST_URI` or `SCRIPT_NAME`+`PATH_INFO`, `QUERY_STRING`, `REMOTE_ADDR`, `CONTENT_TYPE`,
    /// `CONTENT_LENGTH`, and `HTTP_*` headers.
    ///
    /// - Parameter parameters: name/value pairs in arrival order (a repeated name is kept twice).
    /// - Returns: the head, or `nil` when `CONTENT_LENGTH` is present but not a plain decimal number.
    public init?(cgiParameters parameters: [(String, String)]) {
        var first = CGIVariables()
        var headers = HTTPHeaders()
        for (name, value) in parameters {
            if let header = RequestHead.headerName(cgi: name) {
                if header == "content-type" || header == "content-length" { continue }
                headers.addLowercased(header, value)
            } else {
                first.note(name, value)
            }
        }
        if let type = first["CONTENT_TYPE"], !type.isEmpty { headers.add("content-type", type) }
        var length: Int?
        if let text = first["CONTENT_LENGTH"], !text.isEmpty {
            guard text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(text) else {
                return nil
            }
            length = n
            headers.add("content-length", text)
        }
        // `?` found in the UTF-8 bytes, not by walking characters: this runs for every request.
        let uri = first["REQUEST_URI"] ?? ""
        let mark = uri.utf8.firstIndex(of: UInt8(ascii: "?"))
        var path = first["DOCUMENT_URI"] ?? ""
        if path.isEmpty { path = mark.map { String(uri[..<$0]) } ?? uri }
        if path.isEmpty { path = (first["SCRIPT_NAME"] ?? "") + (first["PATH_INFO"] ?? "") }
        var query = first["QUERY_STRING"] ?? ""
        if query.isEmpty, let mark { query = String(uri[uri.utf8.index(after: mark)...]) }
        let remote = first["REMOTE_ADDR"].flatMap { $0.isEmpty ? nil : $0 }
        self.init(
            method: (first["REQUEST_METHOD"] ?? "GET").uppercased(),
            path: path.isEmpty ? "/" : path, query: query,
            contentType: first["CONTENT_TYPE"].flatMap { $0.isEmpty ? nil : $0 },
            contentLength: length, headers: headers, remoteAddress: remote)
    }
}

extension RequestHead {
    /// Whether `init(cgiParameters:)` reads the parameter named by these bytes: an `HTTP_*` header or one
    /// of the CGI variables it is built from (`CStringPairs.read(_:keeping:)` copies no other).
    public static func readsParameter(named name: UnsafeBufferPointer<UInt8>) -> Bool {
        if isHeader(name) { return true }
        // A plain byte loop: the generic `elementsEqual` cost more than the rest of the copy.
        for candidate in CGIVariables.utf8Names where candidate.count == name.count {
            var at = 0
            while at < name.count, candidate[at] == name[at] { at += 1 }
            if at == name.count { return true }
        }
        return false
    }

    /// Whether a CGI name is `HTTP_` and a header name after it.
    private static func isHeader(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        name.count > 5 && name[0] == 0x48 && name[1] == 0x54 && name[2] == 0x54 && name[3] == 0x50 && name[4] == 0x5F
    }

    /// `HTTP_X_WINK_EVENT` → `x-wink-event`; `nil` for a name without the `HTTP_` prefix. One pass over
    /// the bytes (this runs for every header of every request).
    static func headerName(cgi name: String) -> String? {
        var name = name
        return name.withUTF8 { bytes -> String? in
            guard isHeader(bytes) else { return nil }
            return String(unsafeUninitializedCapacity: bytes.count - 5) { out in
                for (i, c) in bytes[5...].enumerated() {
                    out[i] = c == 0x5F ? 0x2D : (c >= 0x41 && c <= 0x5A ? c + 0x20 : c)
                }
                return bytes.count - 5
            }
        }
    }
}

/// The first value of each CGI variable a head is built from (a repeated name keeps its first value),
/// without a dictionary of every parameter: this runs for every request.
private struct CGIVariables {
    private var values: [String?] = Array(repeating: nil, count: CGIVariables.names.count)

    static let names = [
        "CONTENT_TYPE", "CONTENT_LENGTH", "DOCUMENT_URI", "REQUEST_URI", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING",
        "REMOTE_ADDR", "REQUEST_METHOD",
    ]
    static let utf8Names = names.map { Array($0.utf8) }

    mutating func note(_ name: String, _ value: String) {
        guard let slot = CGIVariables.slot(of: name), values[slot] == nil else { return }
        values[slot] = value
    }

    subscript(name: String) -> String? {
        CGIVariables.slot(of: name).flatMap { values[$0] }
    }

    private static func slot(of name: String) -> Int? {
        let length = name.utf8.count  // O(1): most parameters differ from every name in length
        return names.firstIndex { $0.utf8.count == length && $0 == name }
    }
}
