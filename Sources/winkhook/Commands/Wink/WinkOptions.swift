import ArgumentParser
import WebhookCore
import WinkAPI
import WinkhookConfig

/// The options every `wink` command takes: the configuration, where the API is, which entity.
struct WinkOptions: ParsableArguments {
    @OptionGroup var options: ConfigOption

    @Option(name: .long, help: "Management API base URL (default: [wink] api_url, else https://api.wink.travel).")
    var apiURL: String?

    @Option(
        name: .long, help: "OAuth2 token URL (default: [wink] token_url, else https://iam.wink.travel/oauth2/token).")
    var tokenURL: String?

    @Option(name: .long, help: "Managing entity id (default: the webhook's entity.identifier, else the first one's).")
    var entity: String?

    @Option(name: .long, help: "PEM bundle to trust instead of the system's certificates (default: [wink] ca_file).")
    var caFile: String?

    @Flag(name: .long, help: "Print each API call and its status on stderr.")
    var verbose = false

    /// Everything a command needs, loaded.
    func context() throws -> WinkContext {
        let environment = ProcessEnvironment.current()
        let configuration = try options.load(environment: environment)
        let settings = configuration.wink
        guard let clientID = settings.clientID ?? environment["WINK_CLIENT_ID"].flatMap({ $0.isEmpty ? nil : $0 })
        else {
            throw CommandFailure(
                "no Wink client id: set [wink] client_id (or WINK_CLIENT_ID); create API credentials in Wink first")
        }
        let secret: String
        if let value = environment[settings.clientSecretEnvironment], !value.isEmpty {
            secret = value
        } else if let file = settings.clientSecretFile {
            let text = String(decoding: try FileReading.bytes(at: file, limit: 64 << 10), as: UTF8.self)
            secret = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first.map(String.init) ?? ""
        } else {
            secret = ""
        }
        guard !secret.isEmpty else {
            throw CommandFailure(
                "no Wink client secret: set [wink] client_secret_file (or $\(settings.clientSecretEnvironment))")
        }
        let credentials = WinkCredentials(
            apiURL: apiURL ?? settings.apiURL ?? WinkCredentials.defaultAPIURL,
            tokenURL: tokenURL ?? settings.tokenURL ?? WinkCredentials.defaultTokenURL, clientID: clientID,
            clientSecret: secret)
        let client = WinkClient(
            credentials: credentials,
            transport: CurlTransport(timeoutSeconds: settings.timeoutSeconds, caFile: caFile ?? settings.caFile))
        if verbose { client.trace = { StandardError.write("wink: \($0)\n") } }
        return WinkContext(
            configuration: configuration, client: client, state: try WinkState.load(for: configuration),
            entityOverride: entity)
    }
}

/// A loaded configuration, an API client and the state file.
struct WinkContext {
    let configuration: WinkhookConfiguration
    let client: WinkClient
    var state: WinkState
    let entityOverride: String?

    /// The entity to ask about `id`: `--entity`, the one recorded with it, else the first webhook's.
    func entity(for id: String? = nil) throws -> String {
        if let entityOverride { return entityOverride }
        if let id, let record = state.records.values.first(where: { $0.id == id }), !record.entity.isEmpty {
            return record.entity
        }
        if let first = configuration.webhooks.lazy.compactMap(\.entity).first { return first.identifier }
        throw CommandFailure("no managing entity: pass --entity or give a [[webhook]] an entity.identifier")
    }

    /// A command's `ID` argument (Wink's id, or the name of a local webhook with a recorded subscription):
    /// the id, the local webhook it belongs to, and the entity to ask about it.
    func target(_ argument: String) throws -> (id: String, local: String?, entity: String) {
        let id = state.records[argument]?.id ?? argument
        return (id, state.local(for: id), try entity(for: id))
    }

    /// The local webhook named `name`.
    func endpoint(named name: String) throws -> WebhookEndpoint {
        guard let endpoint = configuration.webhooks.first(where: { $0.name == name }) else {
            throw CommandFailure("no webhook named \(name) in \(configuration.path)")
        }
        return endpoint
    }

    /// Wink's spelling of each canonical key it lists (`booking.created` for `booking.create`).
    func spellings(entity: String) -> [EventKey: String] {
        guard let listed = try? client.events(entity: entity) else { return [:] }
        var spellings: [EventKey: String] = [:]
        for item in listed { if let key = EventKey(item.value) { spellings[key] = item.value } }
        return spellings
    }
}

extension [String] {
    /// Repeated or comma-separated values, trimmed, empty ones dropped.
    var commaSeparated: [String] {
        flatMap { $0.split(separator: ",") }.map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    }
}
