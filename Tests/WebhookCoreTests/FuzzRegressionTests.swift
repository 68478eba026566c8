import Foundation
import FuzzHarness
import Testing

/// The fuzzer's corpus and every crash it ever found (Tests/Fuzz/), replayed on each `make test`: an input
/// that once trapped must keep not trapping.
@Suite struct FuzzRegressionTests {
    static let root =
        String(#filePath.dropLast("Tests/WebhookCoreTests/FuzzRegressionTests.swift".count)) + "Tests/Fuzz/"

    static func files(_ folder: String) -> [String] {
        let path = root + folder
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { path + "/" + $0 }
    }

    @Test func theCommittedCorpusRunsClean() throws {
        let corpus = Self.files("corpus")
        #expect(corpus.count >= 20, "the seed corpus is missing (scripts/fuzz seeds it)")
        for file in corpus { FuzzHarness.run(Array(try Data(contentsOf: URL(fileURLWithPath: file)))) }
    }

    @Test func everyCrashReproducerRunsClean() throws {
        for file in Self.files("crashes") { FuzzHarness.run(Array(try Data(contentsOf: URL(fileURLWithPath: file)))) }
    }
}
