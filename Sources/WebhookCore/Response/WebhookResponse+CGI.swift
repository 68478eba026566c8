extension WebhookResponse {
    /// The CGI response (RFC 3875 §6): `Status:` first, then headers, a blank line and the body.
    /// The same bytes serve FastCGI, whose web server parses the same header block. JSON unless a
    /// `Content-Type` header says otherwise (the status pages).
    public var cgiBytes: [UInt8] {
        var text = "Status: \(status) \(reasonPhrase)\r\n"
        if !headers.contains(where: { $0.name == "Content-Type" }) { text += "Content-Type: application/json\r\n" }
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "Content-Length: \(body.utf8.count)\r\n\r\n"
        text += body
        return Array(text.utf8)
    }
}
