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
        delivery.dedupeKey.utf8.elementsEqual(dedupeKey.utf8) && delivery.webhook.utf8.elementsEqual(webhook.utf8)
    }

    static func == (a: DeliveryKey, b: DeliveryKey) -> Bool {
        a.dedupeKey.utf8.elementsEqual(b.dedupeKey.utf8) && a.webhook.utf8.elementsEqual(b.webhook.utf8)
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
