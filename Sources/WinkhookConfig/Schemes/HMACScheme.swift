import TOMLKit
import WebhookCore

/// `scheme = "hmac"`: `header` (required), `algorithm` (sha256, sha512, sha1), `encoding` (hex, base64),
/// `prefix` (e.g. `sha256=`), `signed` (a template: `{body}` by default, or `{timestamp}.{body}` …),
/// `timestamp_header` (required when the template uses `{timestamp}`), `id_header`, `tolerance`.
/// The key is each secret's bytes as given.
struct HMACScheme: SchemeReader {
    var name: String { "hmac" }
    var keys: Set<String> {
        ["header", "algorithm", "encoding", "prefix", "signed", "timestamp_header", "id_header", "tolerance"]
    }

    func read(_ table: TOMLTable, at: String, label: String, context: inout ParseContext) throws(ConfigurationError)
        -> SchemeReading
    {
        guard let header = try context.string(table, "header", at: at), HMACScheme.isHeaderName(header) else {
            throw context.fail(
                "\(at).header", "is required: the header that carries the signature (letters, digits and -)")
        }
        let algorithmName = try context.string(table, "algorithm", at: at) ?? "sha256"
        guard let algorithm = MACAlgorithm(rawValue: algorithmName) else {
            throw context.fail("\(at).algorithm", "must be one of sha256, sha512, sha1")
        }
        let encodingName = try context.string(table, "encoding", at: at) ?? "hex"
        guard let encoding = SignatureEncoding(rawValue: encodingName) else {
            throw context.fail("\(at).encoding", "must be hex or base64")
        }
        let template = try context.string(table, "signed", at: at) ?? "{body}"
        guard let content = SignedContent(template: template) else {
            throw context.fail(
                "\(at).signed", "must hold {body} once, and only {body}, {timestamp} and {id} placeholders")
        }
        let timestampHeader = try context.string(table, "timestamp_header", at: at)
        guard content.usesTimestamp == (timestampHeader != nil) else {
            throw context.fail(
                "\(at).timestamp_header",
                content.usesTimestamp
                    ? "is required when signed uses {timestamp}"
                    : "needs {timestamp} in signed: a timestamp the MAC does not cover can be replaced by anyone")
        }
        let idHeader = try context.string(table, "id_header", at: at)
        guard !content.usesID || idHeader != nil else {
            throw context.fail("\(at).id_header", "is required when signed uses {id}")
        }
        for name in [timestampHeader, idHeader].compactMap({ $0 }) where !HMACScheme.isHeaderName(name) {
            throw context.fail(at, "has header \"\(name)\": header names are letters, digits and -")
        }
        if idHeader != nil, !content.usesID {
            context.warnings.append(
                "\(label): id_header is not covered by the signature, so a replayed body with a new id is stored "
                    + "again; put {id} in signed if the sender signs it")
        }
        let prefix = try context.string(table, "prefix", at: at) ?? ""
        guard !prefix.contains(","), !prefix.contains(" ") else {
            throw context.fail("\(at).prefix", "cannot hold a comma or a space (they separate signatures)")
        }
        if algorithm == .sha1 {
            context.warnings.append(
                "\(label): hmac with sha1 is weak; use it only for a sender that offers nothing else")
        }
        let settings = HMACVerifier.Settings(
            header: header, algorithm: algorithm, encoding: encoding,
            prefix: prefix, content: content,
            timestampHeader: timestampHeader, idHeader: idHeader,
            toleranceSeconds: try context.tolerance(table, at: at))
        let (secrets, sources) = try context.rawSecrets(table, at: at, label: label)
        return SchemeReading(
            verifier: HMACVerifier(settings: settings, secrets: secrets), sources: sources.sources)
    }

    /// An HTTP header name as it survives CGI (`HTTP_X_SIG` → `x-sig`): letters, digits and `-`.
    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-")
            }
    }
}
