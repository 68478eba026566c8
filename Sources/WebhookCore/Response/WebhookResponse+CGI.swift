extension WebhookResponse {
    /// The CGI response (RFC 3875 §6): `Status:` first, then headers, a blank line and the body.
    /// The same bytes serve FastCGI, whose web server parses the same header block. JSON unless a
    /// `Content-Type` header says otherwise (the status pages). Written as bytes into one buffer (this
    /// runs for every request).
    public var cgiBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + body.utf8.count + headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count })
        func put(_ text: String) { out.append(contentsOf: text.utf8) }
        put("Status: ")
        put(String(status))
        put(" ")
        put(reasonPhrase)
        put("\r\n")
        if !headers.contains(where: { $0.name == "Content-Type" }) { put("Content-Type: application/json\r\n") }
        for (name, value) in headers {
            put(name)
            put(": ")
            put(value)
            put("\r\n")
        }
        put("Content-Length: ")
        put(String(body.utf8.count))
        put("\r\n\r\n")
        put(body)
        return out
    }
}
