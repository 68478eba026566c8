/// Removes passwords from libpq conninfo strings and URIs before they are printed or logged.
public enum ConninfoRedaction {
    /// `password=…` becomes `password=***`; `postgres://user:pass@host` becomes `postgres://user:***@host`.
    public static func redact(_ conninfo: String) -> String {
        if conninfo.hasPrefix("postgres://") || conninfo.hasPrefix("postgresql://") {
            guard let schemeEnd = conninfo.range(of: "://"),
                let at = conninfo[schemeEnd.upperBound...].firstIndex(of: "@")
            else { return redactQuery(conninfo) }
            let userInfo = conninfo[schemeEnd.upperBound..<at]
            guard let colon = userInfo.firstIndex(of: ":") else { return redactQuery(conninfo) }
            return redactQuery(String(conninfo[..<colon]) + ":***" + String(conninfo[at...]))
        }
        // States: 0 normal, 1 after `password`, 2 after `password =`.
        var out: [String] = []
        var state = 0
        for token in conninfo.split(separator: " ", omittingEmptySubsequences: true) {
            switch state {
            case 1 where token == "=":
                out.append("=")
                state = 2
            case 1 where token.hasPrefix("="):
                out.append("=***")
                state = 0
            case 2:
                out.append("***")
                state = 0
            default:
                if token.lowercased().hasPrefix("password=") {
                    out.append(token.count > 9 ? "password=***" : "password=")
                    state = token.count > 9 ? 0 : 2
                } else {
                    out.append(String(token))
                    state = token.lowercased() == "password" ? 1 : 0
                }
            }
        }
        return out.joined(separator: " ")
    }

    private static func redactQuery(_ uri: String) -> String {
        guard let q = uri.firstIndex(of: "?") else { return uri }
        let params = uri[uri.index(after: q)...].split(separator: "&").map { p in
            p.lowercased().hasPrefix("password=") ? "password=***" : String(p)
        }
        return String(uri[...q]) + params.joined(separator: "&")
    }
}
