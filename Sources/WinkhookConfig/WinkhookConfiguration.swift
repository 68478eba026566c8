import WebhookCore

/// Everything a process needs from the configuration file, resolved: secrets read, events parsed.
public struct WinkhookConfiguration: Sendable {
    /// Where it was read from.
    public var path: String
    /// libpq conninfo (keyword string or URI).
    public var databaseURL: String
    /// `config file`, `WINKHOOK_DATABASE_URL` or `default`.
    public var databaseURLSource: String
    /// Limits shared by every webhook.
    public var settings: PipelineSettings
    /// `[spool] path`: where deliveries wait while PostgreSQL is unavailable.
    public var spoolPath: String
    /// `[spool] max_bytes`: the most the spool may hold.
    public var spoolMaxBytes: Int
    /// `[spool] acknowledge`: when a delivery is answered 200.
    public var acknowledge: AcknowledgeMode
    /// `[server] deadline`: seconds a request may spend on PostgreSQL before it is spooled instead.
    public var deadlineSeconds: Int
    /// `[server] group_limit`: requests queued on a worker's listener that are stored together at most
    /// (one transaction, or one spool flush); 1 stores each on its own.
    public var groupLimit = 8
    /// `[database] prepared_statements`: `false` behind a transaction-pooling PgBouncer before 1.21.
    public var preparedStatements: Bool
    /// `[server] public_url`: how senders reach this host (`https://hooks.example.com`), for printed URLs.
    public var publicURL: String?
    /// `[retention]` and `[maintenance]`.
    public var maintenance: MaintenanceSettings
    /// `[status]`: the ping, status and metrics pages.
    public var status: StatusSettings
    /// `[wink]`: the management API, for the `wink` commands.
    public var wink: WinkSettings
    /// The webhooks, ready to serve.
    public var webhooks: [WebhookEndpoint]
    /// What `check-config` prints for each webhook (no secrets).
    public var summaries: [WebhookSummary]
    /// Problems that make a webhook fail closed (e.g. no usable secret); `check-config` exits 1 on these.
    public var problems: [String]
    /// Things worth fixing that do not stop anything (inline secrets, uncataloged keys).
    public var warnings: [String]

    /// `databaseURL` with any password removed, for printing.
    public var redactedDatabaseURL: String { ConninfoRedaction.redact(databaseURL) }
}

/// When an authentic delivery is answered 200.
public enum AcknowledgeMode: String, Sendable {
    /// After COMMIT in PostgreSQL (or, while it is unavailable, after a durable spool append: `spooled`).
    case commit
    /// After a durable spool append, always (`accepted`); the drainer stores it moments later.
    case spool
}

/// A webhook as `check-config` shows it.
public struct WebhookSummary: Sendable, Equatable {
    public var name: String
    public var path: String
    public var enabled: Bool
    public var entity: String?
    /// Canonical keys, sorted; empty means all.
    public var events: [String]
    /// Its verification methods, in order.
    public var methods: [MethodSummary]
    public var allowFrom: [String]
    public var trustedProxies: [String]

    /// Usable secrets over all methods.
    public var secretCount: Int { methods.map(\.verifier.secretCount).reduce(0, +) }
}

/// One verification method as `check-config` shows it: never a secret.
public struct MethodSummary: Sendable, Equatable {
    /// What the verifier says of itself.
    public var verifier: VerifierSummary
    /// Where the secrets come from (`file /etc/…`, `env WINK_SECRET`, `inline`), never their values.
    public var sources: [String]
}
