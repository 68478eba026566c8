import Testing

@testable import FastCGITransport

/// The `ms=` of a request's log line: hundredths of a millisecond, written as `Double` writes them.
struct RequestLogTests {
    @Test func elapsedMillisecondsAreWrittenAsTheRoundedDoubleWas() {
        // Away from exact ties (x.xx5 ms, where binary floating point rounded either way) the text is the
        // one `Double` printed before.
        for micros: Int64 in Array(0...25_000) + [99_994, 1_000_000, 1_234_567, 86_400_000_000] where micros % 10 != 5 {
            let expected = "\((Double(micros) / 1000 * 100).rounded() / 100)"
            #expect(RequestProcessor.milliseconds(micros) == expected, "\(micros) µs")
        }
        #expect(RequestProcessor.milliseconds(145) == "0.15")
        #expect(RequestProcessor.milliseconds(99_995) == "100.0")
        #expect(RequestProcessor.milliseconds(1_005) == "1.01")
        #expect(RequestProcessor.milliseconds(70) == "0.07")
        #expect(RequestProcessor.milliseconds(-3) == "0.0")
    }
}
