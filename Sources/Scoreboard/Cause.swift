/// Why a request got its answer: the `Winkhook-Result` of a 200, or the error code of a refusal, with
/// the status it always has. A fixed table, so every process counts into the same places.
public enum Cause: Int, CaseIterable, Sendable {
    case stored, duplicate, ignored, spooled, accepted
    case invalidJSON, incompleteBody, invalidContentLength
    case unauthorized, forbidden, notFound, methodNotAllowed, bodyTooLarge, unsupportedMediaType
    case serverMisconfigured, webhookDisabled, storageUnavailable
    case other

    /// How it is spelled in answers, logs and metric labels.
    public var name: String {
        switch self {
        case .stored: "stored"
        case .duplicate: "duplicate"
        case .ignored: "ignored"
        case .spooled: "spooled"
        case .accepted: "accepted"
        case .invalidJSON: "invalid_json"
        case .incompleteBody: "incomplete_body"
        case .invalidContentLength: "invalid_content_length"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .bodyTooLarge: "body_too_large"
        case .unsupportedMediaType: "unsupported_media_type"
        case .serverMisconfigured: "server_misconfigured"
        case .webhookDisabled: "webhook_disabled"
        case .storageUnavailable: "storage_unavailable"
        case .other: "other"
        }
    }

    /// The status this cause is answered with (`nil` for `other`, which keeps no status).
    public var status: Int? {
        switch self {
        case .stored, .duplicate, .ignored, .spooled, .accepted: 200
        case .invalidJSON, .incompleteBody, .invalidContentLength: 400
        case .unauthorized: 401
        case .forbidden: 403
        case .notFound: 404
        case .methodNotAllowed: 405
        case .bodyTooLarge: 413
        case .unsupportedMediaType: 415
        case .serverMisconfigured: 500
        case .webhookDisabled, .storageUnavailable: 503
        case .other: nil
        }
    }

    /// Whether PostgreSQL failed this request (it was spooled instead, or refused with 503).
    public var isStorageFailure: Bool { self == .spooled || self == .storageUnavailable }

    /// Whether PostgreSQL took this request's write.
    public var isStorageSuccess: Bool { self == .stored || self == .duplicate || self == .ignored }

    /// The cause named `name` (a result header or an error code), `other` if unknown.
    public init(named name: String) {
        self = Cause.byName[name] ?? .other
    }

    private static let byName: [String: Cause] = Dictionary(
        uniqueKeysWithValues: Cause.allCases.map { ($0.name, $0) })
}
