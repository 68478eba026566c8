import WebhookCore

/// A delivery's identity for de-duplication: its webhook and its key within it, compared byte by byte
/// as PostgreSQL's primary key does (Swift's `String` equality would merge NFC and NFD spellings).
struct DeliveryKey: Hashable {
    let webhook: [UInt8]
    let dedupeKey: [UInt8]

    init(webhook: String, dedupeKey: String) {
        self.webhook = Array(webhook.utf8)
        self.dedupeKey = Array(dedupeKey.utf8)
    }

    init(_ delivery: Delivery) {
        self.init(webhook: delivery.webhook, dedupeKey: delivery.dedupeKey)
    }

    /// The bytes hashed as blocks (an array of bytes hashes one byte at a time by default: a twentieth
    /// of a drainer's time).
    func hash(into hasher: inout Hasher) {
        webhook.withUnsafeBytes { hasher.combine(bytes: $0) }
        hasher.combine(webhook.count)
        dedupeKey.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
