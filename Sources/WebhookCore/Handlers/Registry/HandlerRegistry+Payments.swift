extension HandlerRegistry {
    /// TripPay payments: counts and amounts per outcome (the success rate is succeeded ÷ (succeeded + failed)).
    static let payment: [any EventHandler] = [
        MetricHandler(
            ["internal.payment.succeeded"],
            rules: [.count("payment.succeeded.count"), .money("payment.succeeded.amount", at: "amount")]),
        MetricHandler(
            ["internal.payment.processing"],
            rules: [.count("payment.processing.count"), .money("payment.processing.amount", at: "amount")]),
        MetricHandler(
            ["internal.payment.failed"],
            rules: [.count("payment.failed.count"), .money("payment.failed.amount", at: "amount")]),
    ]

    /// Payees (who is paid out): registrations, changes and failures.
    static let payee: [any EventHandler] = [
        counting("payee.created.count", ["payee.create"]),
        counting("payee.updated.count", ["payee.update"]),
        counting("payee.failure.count", ["payee.create.failure", "payee.update.failure"]),
    ]

    /// Ledger entries: count and amount (signed as sent).
    static let ledger: [any EventHandler] = [
        MetricHandler(
            ["ledger.entry.create"],
            rules: [.count("ledger.entry.count"), .money("ledger.entry_amount", at: "amount", "sourceAmount")])
    ]
}
