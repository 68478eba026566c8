import TOMLKit

/// `[wink]`: how the `winkhook wink` commands reach Wink's management API. Nothing here is read by
/// workers or CGI requests, and the client secret is only located here: the commands read it when they run.
public struct WinkSettings: Sendable, Equatable {
    /// `api_url`, default `https://api.wink.travel`.
    public var apiURL: String?
    /// `token_url`, default `https://iam.wink.travel/oauth2/token`.
    public var tokenURL: String?
    /// `client_id` (not a secret), else `$WINK_CLIENT_ID`.
    public var clientID: String?
    /// `client_secret_file`: a file whose first line is the client secret.
    public var clientSecretFile: String?
    /// `client_secret_env`: the variable holding it (default `WINK_CLIENT_SECRET`).
    public var clientSecretEnvironment: String
    /// `ca_file`: a PEM bundle to trust instead of the system's.
    public var caFile: String?
    /// `state_file`: where the commands record each webhook's Wink id (default: next to the configuration,
    /// `wink-state.json`).
    public var stateFile: String?
    /// `timeout`: seconds per HTTP request (default 30).
    public var timeoutSeconds: Int

    public init(
        apiURL: String? = nil, tokenURL: String? = nil, clientID: String? = nil, clientSecretFile: String? = nil,
        clientSecretEnvironment: String = "WINK_CLIENT_SECRET", caFile: String? = nil, stateFile: String? = nil,
        timeoutSeconds: Int = 30
    ) {
        self.apiURL = apiURL
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecretFile = clientSecretFile
        self.clientSecretEnvironment = clientSecretEnvironment
        self.caFile = caFile
        self.stateFile = stateFile
        self.timeoutSeconds = timeoutSeconds
    }
}

extension ParseContext {
    /// Reads `[wink]` from `root`.
    func winkSettings(_ root: TOMLTable) throws(ConfigurationError) -> WinkSettings {
        var settings = WinkSettings()
        guard let wink = try table(root, "wink") else { return settings }
        try checkKeys(
            wink,
            allowed: [
                "api_url", "token_url", "client_id", "client_secret_file", "client_secret_env", "ca_file",
                "state_file", "timeout",
            ], at: "wink")
        for (key, keyPath) in [("api_url", \WinkSettings.apiURL), ("token_url", \.tokenURL)] {
            guard let value = try string(wink, key, at: "wink") else { continue }
            guard value.hasPrefix("https://") || value.hasPrefix("http://") else {
                throw ConfigurationError("\(path): wink.\(key) must be an https:// URL")
            }
            settings[keyPath: keyPath] = value
        }
        settings.clientID = try string(wink, "client_id", at: "wink")
        settings.clientSecretFile = try string(wink, "client_secret_file", at: "wink")
        if let name = try string(wink, "client_secret_env", at: "wink") { settings.clientSecretEnvironment = name }
        settings.caFile = try string(wink, "ca_file", at: "wink")
        settings.stateFile = try string(wink, "state_file", at: "wink")
        if let seconds = try int(wink, "timeout", at: "wink") {
            guard (1...300).contains(seconds) else {
                throw ConfigurationError("\(path): wink.timeout must be between 1 and 300 seconds")
            }
            settings.timeoutSeconds = seconds
        }
        return settings
    }
}
