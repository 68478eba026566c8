import Glibc
import WebhookCore

/// A delivery's identity for de-duplication: its webhook and its key within it, compared byte by byte
/// as PostgreSQL's primary key does (Swift's `String` equality would merge NFC and NFD spellings).
struct DeliveryKey: Hashable {
    let webhook: String
    let dedupeKey: String

    init(webhook: String, dedupeKey: String) {
        self.webhook = webhook
        self.dedupeKey = dedupeKey
    }

    init(_ delivery: Delivery) {
        self.init(webhook: delivery.webhook, dedupeKey: delivery.dedupeKey)
    }

    /// Whether `delivery` has this identity.
    func matches(_ delivery: Delivery) -> Bool {
        DeliveryKey.sameBytes(delivery.dedupeKey, dedupeKey) && DeliveryKey.sameBytes(delivery.webhook, webhook)
    }

    static func == (a: DeliveryKey, b: DeliveryKey) -> Bool {
        sameBytes(a.dedupeKey, b.dedupeKey) && sameBytes(a.webhook, b.webhook)
    }

    /// Whether `a` and `b` are the same UTF-8 bytes (no copy of a native string's storage).
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                guard x.count == y.count else { return false }
                guard let left = x.baseAddress, let right = y.baseAddress else { return true }
                return memcmp(left, right, x.count) == 0
            }
        }
    }

    /// The bytes hashed as blocks (one byte at a time, the default for a byte sequence, was a twentieth
    /// of a drainer's time), without a copy of a native string's storage.
    func hash(into hasher: inout Hasher) {
        var webhook = webhook
        var dedupeKey = dedupeKey
        webhook.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(webhook.utf8.count)
        dedupeKey.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
