import WebhookCore

/// A delivery's identity for de-duplication: its webhook and its key within it.
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
}
