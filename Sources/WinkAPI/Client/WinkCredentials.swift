/// Where the management API is and who calls it.
public struct WinkCredentials: Sendable {
    /// `https://api.wink.travel` unless told otherwise.
    public var apiURL: String
    /// The OAuth2 token endpoint, `https://iam.wink.travel/oauth2/token` unless told otherwise.
    public var tokenURL: String
    public var clientID: String
    public var clientSecret: String
    /// Scopes asked for.
    public var scopes: [String]

    public static let defaultAPIURL = "https://api.wink.travel"
    public static let defaultTokenURL = "https://iam.wink.travel/oauth2/token"

    public init(
        apiURL: String = WinkCredentials.defaultAPIURL, tokenURL: String = WinkCredentials.defaultTokenURL,
        clientID: String, clientSecret: String, scopes: [String] = ["account.read", "account.write", "account.remove"]
    ) {
        self.apiURL = apiURL
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scopes = scopes
    }
}
