import Glibc

/// `[=====>     ] 45% 4500/10000` on stderr when it is a terminal; else a line per 10%.
struct ProgressBar {
    let total: Int
    let terminal = isatty(2) == 1
    var lastTenth = -1

    mutating func show(_ done: Int) {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        if terminal {
            let filled = Int(fraction * 30)
            let bar =
                String(repeating: "=", count: filled) + (filled < 30 ? ">" : "")
                + String(repeating: " ", count: max(0, 29 - filled))
            StandardError.write("\r[\(bar)] \(Int(fraction * 100))% \(done)/\(total)")
        } else if Int(fraction * 10) > lastTenth {
            lastTenth = Int(fraction * 10)
            StandardError.write("reprocess: \(Int(fraction * 100))% (\(done)/\(total))\n")
        }
    }

    func finish() {
        if terminal { StandardError.write("\n") }
    }
}
