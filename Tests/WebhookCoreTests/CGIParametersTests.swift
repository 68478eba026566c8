import Testing

@testable import WebhookCore

@Suite struct CGIParametersTests {
    @Test func headFromNginxStyleParameters() throws {
        let head = try #require(
            RequestHead(cgiParameters: [
                ("REQUEST_METHOD", "post"), ("DOCUMENT_URI", "/webhook/wink"), ("REQUEST_URI", "/webhook/wink?x=1"),
                ("CONTENT_TYPE", "application/json"), ("CONTENT_LENGTH", "42"), ("HTTP_WEBHOOK_ID", "msg_1"),
                ("HTTP_CONTENT_LENGTH", "42"), ("HTTP_X_WINK_EVENT", "a.b"),
            ]))
        #expect(head.method == "POST")
        #expect(head.path == "/webhook/wink")
        #expect(head.contentLength == 42)
        #expect(head.headers["webhook-id"] == "msg_1")
        #expect(head.headers["x-wink-event"] == "a.b")
        #expect(head.headers.values("content-length") == ["42"])
    }

    @Test func pathFromRequestURIOrScriptNameAndPathInfo() throws {
        #expect(RequestHead(cgiParameters: [("REQUEST_URI", "/a/b?q")])?.path == "/a/b")
        #expect(
            RequestHead(cgiParameters: [("SCRIPT_NAME", "/cgi-bin/winkhook"), ("PATH_INFO", "/wink")])?.path
                == "/cgi-bin/winkhook/wink")
    }

    @Test(arguments: ["-1", "1e3", "12a", "99999999999999999999", " 4"])
    func malformedContentLengthIsRefused(text: String) {
        #expect(RequestHead(cgiParameters: [("CONTENT_LENGTH", text)]) == nil)
    }

    @Test func missingContentLengthIsUndeclared() throws {
        #expect(try #require(RequestHead(cgiParameters: [("REQUEST_METHOD", "POST")])).contentLength == nil)
    }

    @Test func responseBytesStartWithStatus() {
        let text = String(decoding: WebhookResponse.methodNotAllowed.cgiBytes, as: UTF8.self)
        #expect(text.hasPrefix("Status: 405 Method Not Allowed\r\n"))
        #expect(text.contains("Allow: POST\r\n"))
        #expect(text.hasSuffix("\r\n\r\n" + #"{"ok":false,"error":"method_not_allowed"}"#))
    }

    @Test func iso8601Parsing() {
        #expect(Timestamp(iso8601: "1970-01-01T00:00:00Z")?.microseconds == 0)
        #expect(Timestamp(iso8601: "2026-08-10T14:22:31Z")?.seconds == 1_786_371_751)
        #expect(Timestamp(iso8601: "2026-08-10T14:22:31") == Timestamp(iso8601: "2026-08-10T14:22:31Z"))
        #expect(Timestamp(iso8601: "2026-08-10T16:22:31+02:00") == Timestamp(iso8601: "2026-08-10T14:22:31Z"))
        #expect(Timestamp(iso8601: "2026-08-10T14:22:31.5Z")?.microseconds == 1_786_371_751_500_000)
        #expect(Timestamp(iso8601: "2026-13-10") == nil)
        #expect(Timestamp(iso8601: "yesterday") == nil)
        #expect(Timestamp(seconds: 1_786_371_751).iso8601 == "2026-08-10T14:22:31.000000Z")
    }
}
