import Testing

@testable import WebhookCore

@Suite struct SourcePolicyTests {
    @Test(arguments: [
        ("192.0.2.0/24", "192.0.2.77", true), ("192.0.2.0/24", "192.0.3.1", false), ("10.0.0.1", "10.0.0.1", true),
        ("10.0.0.1", "10.0.0.2", false), ("0.0.0.0/0", "203.0.113.9", true), ("2001:db8::/32", "2001:db8:1::5", true),
        ("2001:db8::/32", "2001:db9::5", false), ("::1", "::1", true), ("::1/128", "[::1]", true),
        ("192.0.2.0/24", "::ffff:192.0.2.5", true), ("fe80::/10", "fe80::1%eth0", true),
        ("192.0.2.0/24", "not an address", false), ("192.0.2.0/24", "", false), ("::/0", "1:2:3:4:5:6:7:8", true),
        ("2001:db8::1:0:0:1/128", "2001:0db8:0000:0000:0001:0000:0000:0001", true),
    ])
    func rangesContainWhatTheyShould(range: String, address: String, inside: Bool) throws {
        #expect(try #require(AddressRange(range)).contains(address) == inside)
    }

    @Test(arguments: [
        "", "/24", "192.0.2.0/33", "192.0.2/24", "256.0.0.1", "1.2.3.4.5", "::1/129", "1::2::3", "12345::",
        "1:2:3:4:5:6:7:8:9", "192.0.2.0/-1", "192.0.2.0/2a", "01.2.3.4.5",
    ])
    func malformedRangesAreRefused(text: String) {
        #expect(AddressRange(text) == nil)
    }

    func head(remote: String?, headers: [(String, String)] = []) -> RequestHead {
        RequestHead(method: "POST", path: "/webhook/wink", headers: HTTPHeaders(headers), remoteAddress: remote)
    }

    let policy = SourcePolicy(
        allowFrom: [literal(AddressRange("203.0.113.0/24"), "203.0.113.0/24")],
        trustedProxies: [
            literal(AddressRange("127.0.0.1"), "127.0.0.1"), literal(AddressRange("10.0.0.0/8"), "10.0.0.0/8"),
        ])

    @Test func directClientsAreCheckedByRemoteAddress() {
        #expect(policy.refusal(head(remote: "203.0.113.7")) == nil)
        #expect(policy.refusal(head(remote: "198.51.100.7")) != nil)
        #expect(policy.refusal(head(remote: nil)) != nil)
    }

    @Test func forwardingHeadersFromAnUntrustedPeerAreIgnored() {
        let spoofed = head(
            remote: "198.51.100.7", headers: [("x-forwarded-for", "203.0.113.7"), ("x-real-ip", "203.0.113.7")])
        #expect(policy.clientAddress(spoofed) == "198.51.100.7")
        #expect(policy.refusal(spoofed) != nil)
    }

    @Test func behindTrustedProxiesTheRightmostUntrustedAddressIsTheClient() {
        // The client prepended a forged entry; the proxies appended the real one.
        let proxied = head(
            remote: "127.0.0.1", headers: [("x-forwarded-for", "203.0.113.99, 198.51.100.7, 10.1.2.3")])
        #expect(policy.clientAddress(proxied) == "198.51.100.7")
        #expect(policy.refusal(proxied) != nil)
        let good = head(
            remote: "127.0.0.1", headers: [("x-forwarded-for", "203.0.113.7"), ("x-forwarded-for", "10.0.0.9")])
        #expect(policy.clientAddress(good) == "203.0.113.7")
        #expect(policy.refusal(good) == nil)
    }

    @Test func aProxyThatSetsXRealIPIsReadAndXForwardedForIgnored() {
        let realIP = SourcePolicy(
            allowFrom: policy.allowFrom, trustedProxies: policy.trustedProxies, forwardingHeader: .xRealIP)
        // The proxy overwrote X-Real-IP but passed the client's own X-Forwarded-For through.
        let request = head(
            remote: "127.0.0.1", headers: [("x-real-ip", "198.51.100.7"), ("x-forwarded-for", "203.0.113.7")])
        #expect(realIP.clientAddress(request) == "198.51.100.7")
        #expect(realIP.refusal(request) != nil)
        #expect(policy.clientAddress(head(remote: "127.0.0.1", headers: [("x-real-ip", "203.0.113.8")])) == "127.0.0.1")
    }

    @Test func whenEveryExaminedHopIsTrustedNoClientWrittenEntryIsUsed() {
        let hops = (0..<40).map { _ in "10.0.0.1" }.joined(separator: ", ")
        let request = head(remote: "127.0.0.1", headers: [("x-forwarded-for", "203.0.113.7, " + hops)])
        #expect(policy.clientAddress(request) == "10.0.0.1")
        #expect(policy.refusal(request) != nil)
    }

    @Test func xRealIPModeReadsOnlyXRealIP() {
        let policy = SourcePolicy(
            allowFrom: self.policy.allowFrom, trustedProxies: self.policy.trustedProxies, forwardingHeader: .xRealIP)
        #expect(
            policy.clientAddress(head(remote: "127.0.0.1", headers: [("x-real-ip", "203.0.113.8")])) == "203.0.113.8")
    }

    @Test func noAllowListAllowsEveryone() {
        #expect(SourcePolicy.open.refusal(head(remote: nil)) == nil)
    }
}
