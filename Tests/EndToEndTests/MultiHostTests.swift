import Foundation
import Testing

extension EndToEnd {
    /// scripts/multihost with the release binary: two web hosts (nginx + `winkhook serve`), one
    /// PostgreSQL host over TCP and a balancing nginx, each in its own network namespace; throughput with
    /// one and two web hosts, and a web host's network cut under load with every delivery answered 200
    /// in PostgreSQL exactly once afterwards. Its report is printed.
    @Suite(.serialized)
    struct MultiHostTests {
        @Test func failoverLosesNothingAndEachDeliveryIsStoredOnce() throws {
            let binary = try #require(
                ProcessInfo.processInfo.environment["WINKHOOK_TEST_RELEASE_BINARY"],
                "WINKHOOK_TEST_RELEASE_BINARY is not set: run `make test`")
            let (status, report) = try Daemon.script("multihost", [binary])
            #expect(status == 0, "\(report.suffix(4000))")
            #expect(report.contains("failover lost nothing"))
        }
    }
}
