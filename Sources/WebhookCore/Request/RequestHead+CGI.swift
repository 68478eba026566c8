extension RequestHead {
    /// Builds a request head from CGI/FastCGI parameters (RFC 3875): `REQUEST_METHOD`, `DOCUMENT_URI` or
    /// `REQUEST_URI` or `SCRIPT_NAME`+`PATH_INFO`, `QUERY_STRING`, `REMOTE_ADDR`, `CONTENT_TYPE`,
    /// `CONTENT_LENGTH`, and `HTTP_*` headers.
    ///
    /// - Parameter parameters: name/value pairs in arrival order (a repeated name is kept twice).
    /// - Returns: the head, or `nil` when `CONTENT_LENGTH` is present but not a plain decimal number.
    public init?(cgiParameters parameters: [(String, String)]) {
        var first: [String: String] = [:]
        var headers = HTTPHeaders()
        for (name, value) in parameters {
            if first[name] == nil { first[name] = value }
            if name.hasPrefix("HTTP_") {
                let header = name.dropFirst(5).lowercased().replacingAll("_", with: "-")
                if header == "content-type" || header == "content-length" { continue }
                headers.add(header, value)
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
        var path = first["DOCUMENT_URI"] ?? ""
        if path.isEmpty { path = String((first["REQUEST_URI"] ?? "").prefix { $0 != "?" }) }
        if path.isEmpty { path = (first["SCRIPT_NAME"] ?? "") + (first["PATH_INFO"] ?? "") }
        var query = first["QUERY_STRING"] ?? ""
        if query.isEmpty, let uri = first["REQUEST_URI"], let mark = uri.firstIndex(of: "?") {
            query = String(uri[uri.index(after: mark)...])
        }
        let remote = first["REMOTE_ADDR"].flatMap { $0.isEmpty ? nil : $0 }
        self.init(
            method: (first["REQUEST_METHOD"] ?? "GET").uppercased(),
            path: path.isEmpty ? "/" : path, query: query,
            contentType: first["CONTENT_TYPE"].flatMap { $0.isEmpty ? nil : $0 },
            contentLength: length, headers: headers, remoteAddress: remote)
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
