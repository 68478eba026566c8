import PostgresStore

/// The figures a hotel or affiliate asks of a period, for one group and currency, computed from metric
/// totals. Amounts stay per currency; counts too (an event's counts carry its currency), so rates divide
/// like by like. Absent figures are `nil`, not zero, where a zero would mislead (ADR without nights).
public struct Indicators: Sendable, Equatable {
    public var group: String?
    public var currency: String?
    public var bookings: Double = 0
    public var roomNights: Double = 0
    public var revenue: Double = 0
    public var netRevenue: Double = 0
    public var cancellations: Double = 0
    public var lostRevenue: Double = 0
    public var refunds: Double = 0
    public var refunded: Double = 0
    public var paymentsSucceeded: Double = 0
    public var paymentsFailed: Double = 0
    public var paid: Double = 0
    public var leadDays: Double = 0
    public var leadSamples: Int = 0

    public init(group: String?, currency: String?) {
        self.group = group
        self.currency = currency
    }

    /// Average daily rate: revenue ÷ room nights.
    public var adr: Double? { roomNights > 0 ? revenue / roomNights : nil }
    /// Cancellations ÷ bookings of the same period.
    public var cancellationRate: Double? { bookings > 0 ? cancellations / bookings : nil }
    /// Succeeded ÷ (succeeded + failed) payments.
    public var paymentSuccessRate: Double? {
        paymentsSucceeded + paymentsFailed > 0 ? paymentsSucceeded / (paymentsSucceeded + paymentsFailed) : nil
    }
    /// Average days from booking to arrival.
    public var averageLeadDays: Double? { leadSamples > 0 ? leadDays / Double(leadSamples) : nil }

    /// Whether anything happened.
    public var isEmpty: Bool {
        bookings == 0 && cancellations == 0 && refunds == 0 && paymentsSucceeded == 0 && paymentsFailed == 0
    }

    /// One row per (group, currency), ordered by group (no value last) then currency, skipping groups
    /// with none of these metrics.
    public static func rows(from totals: [MetricTotal]) -> [Indicators] {
        var order: [String] = []
        var rows: [String: Indicators] = [:]
        for total in totals {
            let id = (total.group ?? "\u{0}") + "\u{1F}" + (total.currency ?? "")
            var row = rows[id] ?? Indicators(group: total.group, currency: total.currency)
            guard row.add(total) else { continue }
            if rows[id] == nil { order.append(id) }
            rows[id] = row
        }
        return order.compactMap { rows[$0] }.filter { !$0.isEmpty }.sorted { a, b in
            if a.group != b.group {
                guard let x = a.group else { return false }
                guard let y = b.group else { return true }
                return x < y
            }
            return (a.currency ?? "") < (b.currency ?? "")
        }
    }

    /// The totals of the metrics the figures come from (for `MetricQuery.metrics`).
    public static let metrics = [
        "booking.count", "booking.room_nights", "booking.gross_amount", "booking.net_amount", "booking.lead_days",
        "booking.cancelled.count", "booking.cancelled.gross_amount", "booking.refund.count", "booking.refund_amount",
        "payment.succeeded.count", "payment.failed.count", "payment.succeeded.amount",
    ]

    private mutating func add(_ total: MetricTotal) -> Bool {
        let value = Double(total.total) ?? 0
        switch total.metric {
        case "booking.count": bookings += value
        case "booking.room_nights": roomNights += value
        case "booking.gross_amount": revenue += value
        case "booking.net_amount": netRevenue += value
        case "booking.lead_days":
            leadDays += value
            leadSamples += total.samples
        case "booking.cancelled.count": cancellations += value
        case "booking.cancelled.gross_amount": lostRevenue += value
        case "booking.refund.count": refunds += value
        case "booking.refund_amount": refunded += value
        case "payment.succeeded.count": paymentsSucceeded += value
        case "payment.failed.count": paymentsFailed += value
        case "payment.succeeded.amount": paid += value
        default: return false
        }
        return true
    }
}
