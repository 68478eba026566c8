import FoundationEssentials
import Testing

@testable import WebhookCore

@Suite struct BasicAuthVerifierTests {
    let verifier = BasicAuthVerifier(credentials: [
        .init(user: "wink", password: "correct horse battery"), .init(user: "next", password: "rotated-password-2"),
    ])

    func authorization(_ text: String) -> WebhookRequest {
        Req.request("{}", headers: [("Authorization", text)])
    }

    func basic(_ userPassword: String) -> String {
        "Basic " + Data(userPassword.utf8).base64EncodedString()
    }

    @Test func eachConfiguredPairPasses() {
        #expect(Req.accepts(verifier, authorization(basic("wink:correct horse battery"))))
        #expect(Req.accepts(verifier, authorization(basic("next:rotated-password-2"))))
        #expect(
            Req.accepts(
                verifier, authorization(basic("next:rotated-password-2").replacingOccurrences("Basic", "basic"))))
    }

    @Test(arguments: [
        "wink:correct horse batter", "wink:", ":correct horse battery", "WINK:correct horse battery",
        "next:correct horse battery", "wink:correct horse battery ",
    ])
    func wrongPairsAreRefused(pair: String) {
        #expect(!Req.accepts(verifier, authorization(basic(pair))))
    }

    @Test(arguments: ["", "Basic", "Basic !!!", "Bearer abc", "Digest username=wink"])
    func malformedHeadersAreRefused(value: String) {
        #expect(!Req.accepts(verifier, authorization(value)))
    }

    @Test func missingHeaderIsRefusedAndTheChallengeIsBasic() {
        #expect(!Req.accepts(verifier, Req.request("{}")))
        #expect(verifier.challenge?.name == "WWW-Authenticate")
        #expect(verifier.challenge?.value == #"Basic realm="winkhook""#)
    }

    @Test func twoAuthorizationHeadersAreRefused() {
        let request = Req.request(
            "{}", headers: [("Authorization", basic("wink:correct horse battery")), ("Authorization", basic("x:y"))])
        #expect(!Req.accepts(verifier, request))
    }

    @Test func signerRoundTrips() throws {
        #expect(Req.accepts(verifier, Req.signed(try #require(verifier.signer), "{}")))
    }

    @Test(arguments: [("u:p", true), ("user:pass:word", true), (":p", false), ("u:", false), ("nocolon", false)])
    func credentialLines(line: String, valid: Bool) {
        #expect((BasicAuthVerifier.Credential(line: line) != nil) == valid)
    }
}
