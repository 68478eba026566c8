extension HandlerRegistry {
    /// `booking.*` (current catalog).
    static let booking =
        bookingFamily(
            created: ["booking.create"], cancelled: ["booking.cancelled"], failed: ["booking.failed"],
            funnel: ["booking.processing", "booking.initialize.request", "booking.initialize.complete"],
            refundRequest: ["booking.refund.request"], refundError: ["booking.refund.error"],
            refunded: ["booking.refund.partial", "booking.refund.full"],
            payoutCreated: ["booking.payout.create"], payoutCompleted: ["booking.payout.complete"],
            funds: ["booking.funds.available", "booking.funds.ledgered"]) + [
            MetricHandler(
                ["booking.review.created"],
                rules: [
                    .count("booking.review.count"),
                    .number("booking.review.rating", at: "rating", "review.rating", "score", "overallRating"),
                ]),
            counting("booking.review.responses.count", ["booking.review.responded"]),
        ]

    /// `booking.contract.*` (the older catalog's names for the same events): the same metrics.
    static let bookingContract = bookingFamily(
        created: ["booking.contract.created"], cancelled: ["booking.contract.cancelled"],
        failed: ["booking.contract.failed"],
        funnel: [
            "booking.contract.processing", "booking.contract.initialize.request",
            "booking.contract.initialize.complete",
        ],
        refundRequest: ["booking.contract.refund.request"], refundError: ["booking.contract.refund.error"],
        refunded: ["booking.contract.refund.partial", "booking.contract.refund.full"],
        payoutCreated: ["booking.contract.payout.create"], payoutCompleted: ["booking.contract.payout.complete"],
        funds: [])

    /// A new booking: volume, stay, guests, lead time and every amount, each named for what it is.
    static let bookingCreatedRules: [MetricRule] = [
        .count("booking.count"),
        .number("booking.room_nights", at: "roomStay.roomNights"),
        .number("booking.rooms", at: "roomStay.quantity"),
        .number("booking.guests", at: "roomStay.guests"),
        .number("booking.adults", at: "roomStay.adults"),
        .number("booking.children", at: "roomStay.children"),
        .days("booking.lead_days", from: "createdDate", to: "roomStay.startDate"),
        .days("booking.stay_nights", from: "roomStay.startDate", to: "roomStay.endDate"),
        .money("booking.gross_amount", at: "grossSourceAmount", "amount"),
        .money("booking.net_amount", at: "netSourceAmount"),
        // gross − net: commissions and fees together; the four below are its parts.
        .money("booking.fees_and_commissions_amount", at: "netTotalFeesAndCommissionsSourceAmount"),
        .money("booking.commission_amount", at: "totalAffiliateAgencyFeesSourceAmount"),
        .money("booking.supplier_commission_amount", at: "totalSupplierAgencyFeesSourceAmount"),
        .money("booking.platform_fee_amount", at: "totalPlatformFeeSourceAmount"),
        .money("booking.processing_fee_amount", at: "totalPaymentProcessingFeeSourceAmount"),
    ]

    static func bookingFamily(
        created: [String], cancelled: [String], failed: [String], funnel: [String], refundRequest: [String],
        refundError: [String], refunded: [String], payoutCreated: [String], payoutCompleted: [String],
        funds: [String]
    ) -> [any EventHandler] {
        var handlers: [any EventHandler] = [
            MetricHandler(created, bookingState: true, rules: bookingCreatedRules),
            MetricHandler(
                cancelled, bookingState: true,
                rules: [
                    .count("booking.cancelled.count"),
                    .number("booking.cancelled.room_nights", at: "roomStay.roomNights"),
                    // The revenue the cancellation loses.
                    .money("booking.cancelled.gross_amount", at: "grossSourceAmount", "amount"),
                    .money("booking.cancelled.net_amount", at: "netSourceAmount"),
                    .days(
                        "booking.cancelled.days_before_arrival", from: "cancelledOn", to: "roomStay.startDate"),
                    .count("booking.no_show.count", when: .equals("cancellationType", "NO_SHOW")),
                    .number(
                        "booking.no_show.room_nights", at: "roomStay.roomNights",
                        when: .equals("cancellationType", "NO_SHOW")),
                ]),
            MetricHandler(
                failed, bookingState: true,
                rules: [
                    .count("booking.failed.count"),
                    .money("booking.failed.gross_amount", at: "grossSourceAmount", "amount"),
                ]),
            MetricHandler(
                refundRequest, bookingState: true,
                rules: [
                    .count("booking.refund_request.count"),
                    .money("booking.refund_request_amount", at: "refund.sourceAmount"),
                ]),
            MetricHandler(refundError, bookingState: true, rules: [.count("booking.refund_error.count")]),
            // Partial and full refunds: one count and amount, told apart by the event key.
            MetricHandler(
                refunded, bookingState: true,
                rules: [
                    .count("booking.refund.count"),
                    .money("booking.refund_amount", at: "refund.sourceAmount", "refund.amount"),
                ]),
            MetricHandler(
                payoutCreated, bookingState: true,
                rules: [
                    .count("booking.payout_created.count"),
                    .money("booking.payout_created_amount", at: "payout.amount", "payoutAmount", "netSourceAmount"),
                ]),
            MetricHandler(
                payoutCompleted, bookingState: true,
                rules: [
                    .count("booking.payout.count"),
                    .money("booking.payout_amount", at: "payout.amount", "payoutAmount", "netSourceAmount"),
                ]),
        ]
        for key in funnel {
            handlers.append(MetricHandler([key], bookingState: true, rules: [.count(funnelMetric(key))]))
        }
        if !funds.isEmpty {
            handlers.append(
                MetricHandler(
                    funds, bookingState: true,
                    rules: [
                        .count("booking.funds.count"),
                        .money("booking.funds_amount", at: "fundsAmount", "netSourceAmount"),
                    ]))
        }
        return handlers
    }

    /// `booking.initialize.request` → `booking.initialize_request.count`; the contract spellings count
    /// under the same names.
    static func funnelMetric(_ key: String) -> String {
        // By hand: String.replacing (swift-experimental-string-processing) costs ~0.2 ms per call on first use,
        // which every CGI process pays while the router is built.
        var step = Substring(key)
        for prefix in ["booking.contract.", "booking."] where step.hasPrefix(prefix) {
            step = step.dropFirst(prefix.count)
            break
        }
        return "booking." + String(step.map { $0 == "." ? "_" : $0 }) + ".count"
    }
}
