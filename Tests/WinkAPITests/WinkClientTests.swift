import Synchronization
import Testing
import WebhookCore

@testable import WinkAPI

/// The waits a client asked for.
final class Sleeps: @unchecked Sendable {
    private let lock = Mutex<[Double]>([])
    func append(_ seconds: Double) { lock.withLock { $0.append(seconds) } }
    var all: [Double] { lock.withLock { $0 } }
}

/// A transport that answers from a script and records what it was sent.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    private let lock = Mutex<([HTTPRequest], [HTTPResponse])>(([], []))

    init(_ answers: [HTTPResponse]) { lock.withLock { $0.1 = answers } }

    var requests: [HTTPRequest] { lock.withLock { $0.0 } }

    func send(_ request: HTTPRequest) throws(WinkAPIError) -> HTTPResponse {
        let next: HTTPResponse? = lock.withLock { state in
            state.0.append(request)
            return state.1.isEmpty ? nil : state.1.removeFirst()
        }
        guard let next else { throw .transport("the script ran out") }
        return next
    }
}

func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> HTTPResponse {
    HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
}

let token = json(200, #"{"access_token":"t1","token_type":"Bearer","expires_in":3600}"#)
let record =
    #"{"id":"w1","name":"Wink Stalker","enabled":true,"entity":{"identifier":"e1","name":"Cool Account"},"eventUrl":"https://h/x","eventList":["booking.created"],"version":3}"#

@Suite struct WinkClientTests {
    func client(_ transport: ScriptedTransport, sleeps: Sleeps = Sleeps()) -> WinkClient {
        WinkClient(
            credentials: WinkCredentials(
                apiURL: "https://api.test/", tokenURL: "https://iam.test/token", clientID: "id one", clientSecret: "s:e"
            ),
            transport: transport, sleep: { seconds in sleeps.append(seconds) })
    }

    @Test func oneTokenServesSeveralCallsAndEveryCallCarriesTheVersionHeader() throws {
        let transport = ScriptedTransport([token, json(200, "[\(record)]"), json(200, record)])
        let wink = client(transport)
        #expect(try wink.list(entity: "e1").map { $0.name } == ["Wink Stalker"])
        #expect(try wink.show(entity: "e1", id: "w1").version == 3)
        let requests = transport.requests
        #expect(requests.count == 3)
        #expect(requests[0].url == "https://iam.test/token")
        #expect(requests[0].headers.contains { $0 == ("Authorization", "Basic aWQrb25lOnMlM0Fl") })
        #expect(
            String(decoding: requests[0].body ?? [], as: UTF8.self).hasPrefix("grant_type=client_credentials&scope="))
        #expect(requests[1].url == "https://api.test/api/managing-entity/e1/webhook/list")
        for request in requests.dropFirst() {
            #expect(request.headers.contains { $0 == ("Wink-Version", "2.0") })
            #expect(request.headers.contains { $0 == ("Authorization", "Bearer t1") })
        }
    }

    @Test func tooManyRequestsIsWaitedOutAsRetryAfterSays() throws {
        let sleeps = Sleeps()
        let transport = ScriptedTransport([
            token, json(429, "{}", headers: [("Retry-After", "3")]), json(503, "{}"), json(200, record),
        ])
        #expect(try client(transport, sleeps: sleeps).show(entity: "e1", id: "w1").id == "w1")
        #expect(sleeps.all == [3, 2])
    }

    @Test func aStaleVersionIsA409ThatSaysSo() throws {
        let transport = ScriptedTransport([
            token,
            HTTPResponse(
                status: 409, headers: [("Content-Type", "application/problem+json")],
                body: Array(#"{"title":"Conflict","status":409,"detail":"version 2 is not 3"}"#.utf8)),
        ])
        let wink = client(transport)
        let request = WinkWebhookRequest(
            name: "n", enabled: true, entity: WinkEntity(identifier: "e1", name: "E"), eventURL: "https://h", events: []
        )
        #expect(throws: WinkAPIError.staleVersion(id: "w1", detail: "version 2 is not 3")) {
            try wink.update(entity: "e1", id: "w1", version: 2, request)
        }
        #expect(transport.requests.last?.headers.contains { $0 == ("If-Match", "2") } == true)
        #expect(transport.requests.last?.method == "PATCH")
    }

    @Test func problemDetailsBecomeOneLine() throws {
        let transport = ScriptedTransport([
            token, json(404, #"{"type":"about:blank","title":"Not Found","status":404,"detail":"no webhook w9"}"#),
        ])
        do {
            _ = try client(transport).show(entity: "e1", id: "w9")
            Issue.record("expected a failure")
        } catch let error as WinkAPIError {
            #expect(error.description == "Wink answered 404 Not Found: no webhook w9")
        }
    }

    @Test func anExpiredTokenIsRenewedOnce() throws {
        let renewed = json(200, #"{"access_token":"t2","expires_in":60}"#)
        let transport = ScriptedTransport([token, json(401, "{}"), renewed, json(200, record)])
        #expect(try client(transport).show(entity: "e1", id: "w1").id == "w1")
        #expect(transport.requests.last?.headers.contains { $0 == ("Authorization", "Bearer t2") } == true)
        let refused = ScriptedTransport([json(401, #"{"error":"invalid_client","error_description":"bad"}"#)])
        #expect(throws: WinkAPIError.authentication("401 bad")) { try client(refused).list(entity: "e1") }
    }

    @Test func olderRecordsAndEventListsAreRead() throws {
        let old = try WinkWebhook(
            json: try JSONParser.parse(
                Array(
                    #"{"id":"w2","name":"Old","eventUrl":"https://h","eventList":[{"key":"booking.create"}],"ownerIdentifier":"e1","ownerName":"E"}"#
                        .utf8)))
        #expect(old.events == ["booking.create"])
        #expect(old.enabled)
        #expect(old.entity == WinkEntity(identifier: "e1", name: "E"))
        #expect(old.version == nil)
        let body = try JSONParser.parse(old.upsert.json)
        #expect(body["eventUrl"]?.stringValue == "https://h")
        #expect(body["entity"]?["identifier"]?.stringValue == "e1")
    }
}
