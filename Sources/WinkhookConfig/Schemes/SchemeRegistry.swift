/// Every verification scheme the configuration knows, by name. Adding a scheme: its verifier in
/// `WebhookCore/Verification/`, its reader in `Schemes/`, one line here, and its tests.
enum SchemeRegistry {
    static let readers: [any SchemeReader] = [
        StandardWebhooksScheme(), URLTokenScheme(), BasicScheme(), HMACScheme(), GitHubScheme(), StripeScheme(),
        NoneScheme(),
    ]

    static func reader(named name: String) -> (any SchemeReader)? {
        readers.first { $0.name == name }
    }

    static var names: [String] { readers.map(\.name) }
}
