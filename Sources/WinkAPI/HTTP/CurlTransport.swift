internal import CCurl
import Glibc
import WebhookCore

/// HTTPS through the system's libcurl (libcurl.so.4, Debian's `libcurl4`), opened with `dlopen` on the
/// first request so that nothing else winkhook does loads it. Certificates are verified against the
/// system's store, or against `caFile`.
public struct CurlTransport: HTTPTransport {
    /// Whole-request timeout.
    public var timeoutSeconds: Int
    /// A PEM bundle to trust instead of the system's (a private CA; the test suite's fake Wink).
    public var caFile: String?

    public init(timeoutSeconds: Int = 30, caFile: String? = nil) {
        self.timeoutSeconds = timeoutSeconds
        self.caFile = caFile
    }

    public func send(_ request: HTTPRequest) throws(WinkAPIError) -> HTTPResponse {
        let api = try CurlLibrary.shared()
        var curl = api.value
        guard let handle = curl.easy_init() else { throw WinkAPIError.transport("curl_easy_init failed") }
        defer { curl.easy_cleanup(handle) }
        let sink = ResponseSink()
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { if let headerList { curl.slist_free_all(headerList) } }
        for (name, value) in request.headers { headerList = curl.slist_append(headerList, "\(name): \(value)") }
        // libcurl adds `Expect: 100-continue` to larger bodies; the API answers at once.
        headerList = curl.slist_append(headerList, "Expect:")
        // NUL-terminated so that an empty body still has an address; its size is sent separately.
        let body = (request.body ?? []) + [0]
        let code: CURLcode = request.url.withCString { url in
            request.method.withCString { method in
                body.withUnsafeBufferPointer { bytes in
                    let context = Unmanaged.passUnretained(sink).toOpaque()
                    var failed = CURLE_OK
                    func set(_ result: CURLcode) { if failed == CURLE_OK { failed = result } }
                    set(winkhook_curl_setopt_pointer(&curl, handle, CURLOPT_URL, url))
                    set(winkhook_curl_setopt_pointer(&curl, handle, CURLOPT_CUSTOMREQUEST, method))
                    set(winkhook_curl_setopt_pointer(&curl, handle, CURLOPT_HTTPHEADER, headerList))
                    set(winkhook_curl_setopt_long(&curl, handle, CURLOPT_NOSIGNAL, 1))
                    set(winkhook_curl_setopt_long(&curl, handle, CURLOPT_TIMEOUT, timeoutSeconds))
                    set(winkhook_curl_setopt_long(&curl, handle, CURLOPT_CONNECTTIMEOUT, min(10, timeoutSeconds)))
                    set(winkhook_curl_setopt_long(&curl, handle, CURLOPT_SSL_VERIFYPEER, 1))
                    set(winkhook_curl_setopt_long(&curl, handle, CURLOPT_SSL_VERIFYHOST, 2))
                    set(winkhook_curl_setopt_pointer(&curl, handle, CURLOPT_PROTOCOLS_STR, "http,https"))
                    set(winkhook_curl_setopt_long(&curl, handle, CURLOPT_FOLLOWLOCATION, 0))
                    if request.body != nil || request.method == "POST" || request.method == "PATCH" {
                        set(winkhook_curl_setopt_pointer(&curl, handle, CURLOPT_POSTFIELDS, bytes.baseAddress))
                        set(
                            winkhook_curl_setopt_size(
                                &curl, handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count - 1)))
                    }
                    set(winkhook_curl_setopt_callback(&curl, handle, CURLOPT_WRITEFUNCTION, ResponseSink.collectBody))
                    set(winkhook_curl_setopt_pointer(&curl, handle, CURLOPT_WRITEDATA, context))
                    set(
                        winkhook_curl_setopt_callback(&curl, handle, CURLOPT_HEADERFUNCTION, ResponseSink.collectHeader)
                    )
                    set(winkhook_curl_setopt_pointer(&curl, handle, CURLOPT_HEADERDATA, context))
                    if let caFile {
                        caFile.withCString { set(winkhook_curl_setopt_pointer(&curl, handle, CURLOPT_CAINFO, $0)) }
                    }
                    guard failed == CURLE_OK else { return failed }
                    return curl.easy_perform(handle)
                }
            }
        }
        guard code == CURLE_OK else {
            let host = request.url.split(separator: "/").dropFirst().first.map(String.init) ?? request.url
            throw WinkAPIError.transport(
                "\(request.method) \(host): \(curl.easy_strerror(code).map { String(cString: $0) } ?? "error \(code.rawValue)")"
            )
        }
        var status = 0
        _ = winkhook_curl_getinfo_long(&curl, handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }
}

/// Where libcurl's callbacks put the answer. Headers of an earlier answer (a `100 Continue`) are dropped
/// when the next status line arrives.
final class ResponseSink {
    var body: [UInt8] = []
    var headers: [(String, String)] = []

    static let collectBody: winkhook_curl_callback = { data, size, count, context in
        guard let data, let context else { return 0 }
        let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
        let length = size * count
        guard sink.body.count + length <= 16 << 20 else { return 0 }  // a management answer is small
        data.withMemoryRebound(to: UInt8.self, capacity: length) {
            sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
        }
        return length
    }

    static let collectHeader: winkhook_curl_callback = { data, size, count, context in
        guard let data, let context else { return 0 }
        let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
        let length = size * count
        let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
        if line.hasPrefix("HTTP/") {
            sink.headers = []
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon])
            let value = String(line[line.index(after: colon)...]).trimmingWhitespace()
            sink.headers.append((name, value))
        }
        return length
    }
}

/// The process's one libcurl, loaded on first use.
enum CurlLibrary {
    final class Loaded: @unchecked Sendable {
        let value: winkhook_curl
        init(_ value: winkhook_curl) { self.value = value }
    }

    nonisolated(unsafe) private static var loaded: Result<Loaded, WinkAPIError>?

    static func shared() throws(WinkAPIError) -> Loaded {
        if let loaded { return try loaded.get() }
        var api = winkhook_curl()
        var error = [CChar](repeating: 0, count: 256)
        let result: Result<Loaded, WinkAPIError> =
            winkhook_curl_load(&api, &error, error.count) == 0
            ? .success(Loaded(api))
            : .failure(
                .transport(
                    "cannot load libcurl (install Debian's libcurl4): "
                        + String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)))
        loaded = result
        return try result.get()
    }
}
