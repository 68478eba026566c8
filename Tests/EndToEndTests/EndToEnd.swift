import Testing

/// Every end-to-end suite, one at a time: they start long-lived processes (`serve`, nginx) that would
/// inherit another suite's pipes and hold them open (a CGI test then waits for an end of file forever).
@Suite(.serialized, .enabled(if: E2EEnvironment.available))
enum EndToEnd {}
