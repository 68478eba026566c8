import Crypto

/// The idempotency key of a delivery, always scoped by webhook by the store.
///
/// In order: the signed `webhook-id`; else the envelope's `id` (only when the body also has a `data`
/// object, since a bare booking's `id` is the booking, not the event); else `sha256:` of the raw body.
/// A delivery id longer than 256 bytes is kept as `id-sha256:` of it: the key is a btree entry, and
/// PostgreSQL refuses entries over about 2.7 KB for good (every retry would be refused too).
public enum DeliveryIdentity {
    /// The envelope member that may carry the event's id.
    static let envelopeID: JSONPath = "id"

    /// Chooses the key.
    public static func dedupeKey(signedID: String?, body: JSONValue, bodySHA256: String) -> String {
        if let signedID, !signedID.isEmpty { return idKey(signedID) }
        if body.envelopeData != nil, let id = body["id"]?.scalarText, !id.isEmpty, id.utf8.count <= 256 {
            return "body:" + id
        }
        return "sha256:" + bodySHA256
    }

    /// The key of a rejected body: the sender's delivery id, else the body's SHA-256 (so a retry of the
    /// same bytes is kept once).
    public static func rejectionKey(deliveryID: String?, hash: String) -> String {
        if let deliveryID, !deliveryID.isEmpty { return idKey(deliveryID) }
        return "sha256:" + hash
    }

    /// `id:` and the id, or `id-sha256:` and its hash when it is longer than 256 bytes.
    static func idKey(_ id: String) -> String {
        id.utf8.count <= 256 ? "id:" + id : "id-sha256:" + sha256Hex(Array(id.utf8))
    }

    /// Lowercase hex SHA-256 of `bytes`.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).withUnsafeBytes { Hex.encode($0) }
    }
}
