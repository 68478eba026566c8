// swift-tools-version: 6.0
import Foundation
import PackageDescription

/// `WINKHOOK_FUZZ=1` adds the libFuzzer executable (scripts/fuzz builds it with `--sanitize=fuzzer`).
let fuzzing = ProcessInfo.processInfo.environment["WINKHOOK_FUZZ"] == "1"

let package = Package(
    name: "winkhook",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "winkhook", targets: ["winkhook"]),
        .library(name: "WebhookCore", targets: ["WebhookCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
    ],
    targets: [
        // C adapters: each imported by exactly one Swift module, with `internal import`.
        // libfcgi has no compiler flags (pkg-config would add -lfcgi): FastCGITransport links its archive.
        .systemLibrary(name: "CFastCGI", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // libcurl's header only: WinkAPI opens libcurl.so.4 with dlopen, so the binary does not depend on it.
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // The CPU's CRC-32C instruction for the spool (a header, nothing to link).
        .systemLibrary(name: "CChecksum"),

        // The monotonic and wall clocks, read in one place (WebhookCore is given the time, never reads it).
        .target(name: "Clocks"),
        // Pure Swift: request value in, outcome value out. No C, no I/O.
        .target(
            name: "WebhookCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // The configuration file (TOML), secrets from files and the environment.
        .target(
            name: "WinkhookConfig",
            dependencies: ["WebhookCore", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        // The pool's shared scoreboard (a memfd every worker counts into) and the status and metrics pages.
        .target(
            name: "Scoreboard", dependencies: ["WebhookCore", .product(name: "Atomics", package: "swift-atomics")]),
        // libfcgi: accept loop, CGI, response writing.
        .target(
            name: "FastCGITransport",
            dependencies: [
                "CFastCGI", "Clocks", "WebhookCore", "Scoreboard", .product(name: "Logging", package: "swift-log"),
            ],
            // libfcgi linked in (libfcgi-dev's archive): the binary needs no libfcgi0 where it runs.
            linkerSettings: [.linkedLibrary(":libfcgi.a")]
        ),
        // libpq: connection ownership, prepared statements, migrations.
        .target(
            name: "PostgresStore",
            dependencies: ["CLibPQ", "Clocks", "WebhookCore", .product(name: "Logging", package: "swift-log")]
        ),
        // `winkhook serve`: the process tree (FastCGI workers and the spool drainer), signals, reloads.
        .target(
            name: "Supervision",
            dependencies: ["Clocks", "WebhookCore", "Scoreboard", .product(name: "Logging", package: "swift-log")]
        ),
        // Looking at the data: periods, indicators, tables, terminal charts and the HTML report.
        .target(name: "Reporting", dependencies: ["WebhookCore", "PostgresStore"]),
        // Wink's webhook management API (OAuth2, HTTPS through a dlopen'd libcurl): the `wink` commands only.
        .target(name: "WinkAPI", dependencies: ["CCurl", "Clocks", "WebhookCore"]),
        // The local spool: durable append-only segments, drained into the store.
        .target(name: "Spool", dependencies: ["CChecksum", "Clocks", "WebhookCore"]),
        .executableTarget(
            name: "winkhook",
            dependencies: [
                "Clocks", "WebhookCore", "WinkhookConfig", "FastCGITransport", "PostgresStore", "Spool", "Supervision",
                "Reporting", "Scoreboard", "WinkAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The fuzz harness: one input through every parser and verifier (Tests/Fuzz; replayed by the tests).
        .target(name: "FuzzHarness", dependencies: ["WebhookCore"], path: "Tests/Fuzz/FuzzHarness"),
        .testTarget(
            name: "WebhookCoreTests", dependencies: ["WebhookCore", "FuzzHarness"], exclude: ["Fixtures"]),
        .testTarget(name: "WinkhookConfigTests", dependencies: ["WinkhookConfig", "WebhookCore"]),
        .testTarget(name: "FastCGITransportTests", dependencies: ["FastCGITransport", "WebhookCore"]),
        .testTarget(name: "PostgresStoreTests", dependencies: ["Clocks", "PostgresStore", "WebhookCore"]),
        .testTarget(name: "SpoolTests", dependencies: ["Spool", "WebhookCore"]),
        .testTarget(name: "WinkAPITests", dependencies: ["WinkAPI", "WebhookCore"]),
        .testTarget(name: "ScoreboardTests", dependencies: ["Scoreboard"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "PostgresStore", "WebhookCore"]),
        .testTarget(
            name: "EndToEndTests", dependencies: ["WebhookCore", "PostgresStore", "FastCGITransport", "Spool"]),
    ],
    swiftLanguageModes: [.v6]
)

if fuzzing {
    package.products.append(.executable(name: "WinkhookFuzz", targets: ["WinkhookFuzz"]))
    package.targets.append(
        .executableTarget(name: "WinkhookFuzz", dependencies: ["FuzzHarness"], path: "Tests/Fuzz/WinkhookFuzz"))
}
