extension HandlerRegistry {
    /// The built-in handlers as a markdown table, one row per handler: family, keys, metrics (with where
    /// each reads its value). `winkhook metrics` prints it; the README's table is this text (a test checks).
    public static func markdownTable() -> String {
        var lines = ["| family | event keys | metrics (source in `data`) |", "|---|---|---|"]
        for handler in builtIn {
            guard let handler = handler as? MetricHandler else { continue }
            let family = handler.keys.first.flatMap { EventCatalog.entry(for: $0)?.group } ?? "-"
            let keys = handler.declaredKeys.map { "`\($0)`" }.joined(separator: ", ")
            let metrics = handler.rules.map(\.summary).joined(separator: "; ")
            lines.append("| \(family) | \(keys) | \(metrics) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension MetricRule {
    /// `booking.gross_amount` (money at grossSourceAmount or amount), for the metric table.
    public var summary: String {
        let base: String
        switch reading {
        case .one: base = "`\(metric)` (1)"
        case .number(let paths): base = "`\(metric)` (\(paths.map(\.description).joined(separator: " or ")))"
        case .money(let paths): base = "`\(metric)` (money: \(paths.map(\.description).joined(separator: " or ")))"
        case .days(let from, let to): base = "`\(metric)` (days \(from) → \(to))"
        }
        return condition.map { base + " when " + $0.summary } ?? base
    }
}

extension Condition {
    /// `cancellationType = NO_SHOW`.
    public var summary: String {
        switch self {
        case .oneOf(let path, let texts):
            texts.count == 1 ? "\(path) = \(texts[0])" : "\(path) in \(texts.joined(separator: ", "))"
        case .present(let path): "\(path) present"
        case .isTrue(let path): "\(path) is true"
        case .not(let inner): "not (\(inner.summary))"
        case .all(let conditions): conditions.map(\.summary).joined(separator: " and ")
        }
    }
}
