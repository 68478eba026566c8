import Testing

@testable import WebhookCore

@Suite struct LogTextTests {
    @Test(arguments: [
        ("a\nb", #"a\nb"#), ("a\r\nFAKE level=error", #"a\r\nFAKE level=error"#), ("tab\there", #"tab\there"#),
        ("\u{1B}[31mred", #"\u{1b}[31mred"#), ("nul\u{0}x", #"nul\u{0}x"#), ("back\\slash", #"back\\slash"#),
        ("line\u{2028}sep", #"line\u{2028}sep"#), ("del\u{7F}", #"del\u{7f}"#), ("plain é ok", "plain é ok"),
        ("bidi\u{202E}txt", #"bidi\u{202e}txt"#),
    ])
    func controlCharactersAreEscaped(input: String, output: String) {
        #expect(LogText.safe(input) == output)
    }

    @Test func longTextIsCapped() {
        let text = LogText.safe(String(repeating: "x", count: 10_000), limit: 100)
        #expect(text.utf8.count <= 100 + "…".utf8.count)
        #expect(text.hasSuffix("…"))
        let escaped = LogText.safe(String(repeating: "\n", count: 1000), limit: 50)
        #expect(escaped.utf8.count <= 50 + "…".utf8.count)
    }

    @Test func escapedTextNeverHoldsALineBreak() {
        var rng = RobustnessTests.SeededGenerator(state: 5)
        for _ in 0..<500 {
            let scalars = (0..<40).compactMap { _ in Unicode.Scalar(UInt32.random(in: 0...0x3000, using: &rng)) }
            let text = LogText.safe(String(String.UnicodeScalarView(scalars)))
            #expect(
                !text.unicodeScalars.contains {
                    $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x2028 || $0.value == 0x2029
                })
        }
    }
}
