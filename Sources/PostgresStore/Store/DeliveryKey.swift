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
}
