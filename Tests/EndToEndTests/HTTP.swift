import Foundation
import WebhookCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Blocking HTTP for tests (URLSession with a semaphore).
enum HTTP {
    struct Failure: Error { let description: String }

    static func request(_ url: String, method: String = "POST", body: [UInt8] = [], headers: [(String, String)] = [])
        throws -> (Int, String, [String: String])
    {
        guard let target = URL(string: url) else { throw Failure(description: "bad URL \(url)") }
        var request = URLRequest(url: target, timeoutInterval: 15)
        request.httpMethod = method
        if !body.isEmpty { request.httpBody = Data(body) }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let http = response as? HTTPURLResponse {
                var fields: [String: String] = [:]
                for (key, value) in http.allHeaderFields {
                    fields[String(describing: key).lowercased()] = String(describing: value)
                }
                box.value = .success((http.statusCode, String(decoding: data ?? Data(), as: UTF8.self), fields))
            } else {
                box.value = .failure(Failure(description: "\(error.map { "\($0)" } ?? "no response")"))
            }
            done.signal()
        }.resume()
        done.wait()
        return try box.value?.get() ?? { throw Failure(description: "no result") }()
    }

    /// A POST signed with the test secret.
    static func signedPost(_ url: String, body: [UInt8], id: String, secret: String = E2EEnvironment.secret) throws
        -> (Int, String, [String: String])
    {
        let signer = StandardWebhooksSigner(secret: try StandardWebhooksSecret(secret))
        let now = Int64(Date().timeIntervalSince1970)
        let headers = [("Content-Type", "application/json")] + signer.headers(id: id, timestamp: now, body: body)
        return try request(url, body: body, headers: headers)
    }
}

final class ResultBox: @unchecked Sendable {
    var value: Result<(Int, String, [String: String]), Error>?
}
