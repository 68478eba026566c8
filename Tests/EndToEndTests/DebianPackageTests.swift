import Foundation
import Testing

extension EndToEnd {
    /// `make deb`'s package (scripts/build-deb, built by `make test`): scripts/try-deb lints it and installs
    /// it with dpkg into a fresh Debian 12 root, then checks the user, modes, check-config as that user, a
    /// reinstall over an edited conffile and a purge. Its report is printed.
    @Suite(.serialized)
    struct DebianPackageTests {
        @Test func installsIntoAFreshRootAndChecksItsConfig() throws {
            let deb = try #require(
                ProcessInfo.processInfo.environment["WINKHOOK_TEST_DEB"],
                "WINKHOOK_TEST_DEB is not set: run `make test`")
            let (status, report) = try Daemon.script("try-deb", [deb])
            #expect(status == 0, "\(report.suffix(3000))")
            #expect(report.contains("installs, configures, upgrades and purges cleanly"))
        }
    }
}
