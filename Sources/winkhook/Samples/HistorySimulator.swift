import Reporting
import WebhookCore

/// A plausible booking history for `winkhook simulate`: a few properties and sales channels, bookings
/// made every day with lead times of hours to months and stays of one to a week, about one in eight
/// cancelled later (some refunded in part, some no-shows), a TripPay payment for each booking (3% fail),
/// and property, rate and availability changes. Deterministic for a seed. The bodies follow the
/// assumed shapes of shared/wink/samples; they are events as Wink would send them over time.
struct HistorySimulator {
    /// One simulated delivery: its body and when it was sent.
    struct Event {
        var body: String
        var time: Timestamp
        /// The envelope id (unique per event, the same for the same seed).
        var id: String
    }

    static let properties: [(id: String, name: String, currency: String, rate: Double)] = [
        ("5d668b3c-6c58-47d4-8124-7bc910ceb53e", "Hotel Example Riverside", "EUR", 180),
        ("0c1f4a7e-3b2d-4e8f-9a6b-5c4d3e2f1a0b", "Example Beach Resort", "EUR", 240),
        ("7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d", "Example City Lofts", "EUR", 120),
        ("3e2d1c0b-9a8f-4e7d-a6c5-b4a3f2e1d0c9", "Example Mountain Lodge", "USD", 210),
    ]
    static let channels: [(id: String, name: String, share: Int)] = [
        ("bc8abf08-39bb-4d26-b760-c315985d1cf8", "Example Travel Journal", 40),
        ("9d8c7b6a-5f4e-4d3c-b2a1-0f9e8d7c6b5a", "Example Points Club", 25),
        ("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5e", "Hotel website", 25),
        ("6f5e4d3c-2b1a-4f0e-9d8c-7b6a5f4e3d2c", "Example Weddings", 10),
    ]

    var random: SplitMix64
    let entity: String?

    init(seed: UInt64, entity: String?) {
        random = SplitMix64(seed: seed)
        self.entity = entity
    }

    /// About `perDay` bookings a day for `days` days ending at `now` (weekends busier), each with the
    /// events that follow it up to `now`, sorted by time, passed to `emit` in order.
    mutating func run(days: Int, perDay: Int, now: Timestamp, emit: (Event) throws -> Void) rethrows {
        var pending: [Event] = []
        let start = now.seconds - Int64(days) * 86_400
        var serial = 0
        for day in 0..<days {
            let dayStart = start + Int64(day) * 86_400
            let weekday = Int((dayStart / 86_400 + 4) % 7)  // 0 = Sunday
            let busy = weekday == 5 || weekday == 6 ? 1.3 : 1.0
            let count = max(0, Int(Double(perDay) * busy * (0.8 + 0.4 * random.unit())))
            for _ in 0..<count {
                serial += 1
                let booked = dayStart + Int64(random.below(86_400))
                guard booked < now.seconds else { continue }
                pending += booking(serial: serial, booked: booked, now: now.seconds)
            }
            if random.below(3) == 0 { pending.append(change(at: dayStart + Int64(random.below(86_400)), serial: day)) }
            // Emit what is due, in order, keeping memory bounded.
            pending.sort { $0.time < $1.time }
            let horizon = Timestamp(seconds: dayStart + 86_400)
            let due = pending.prefix { $0.time < horizon }
            for event in due where event.time < now { try emit(event) }
            pending.removeFirst(due.count)
        }
        pending.sort { $0.time < $1.time }
        for event in pending where event.time < now { try emit(event) }
    }

    /// A booking's events: created (with its payment), maybe cancelled and refunded later.
    mutating func booking(serial: Int, booked: Int64, now: Int64) -> [Event] {
        let property = HistorySimulator.properties[random.below(HistorySimulator.properties.count)]
        var pick = random.below(100)
        var channel = HistorySimulator.channels[0]
        for candidate in HistorySimulator.channels {
            if pick < candidate.share {
                channel = candidate
                break
            }
            pick -= candidate.share
        }
        let lead = [0, 1, 3, 7, 14, 21, 30, 45, 60, 90, 120][random.below(11)] + random.below(5)
        let nights = 1 + random.below(random.below(3) == 0 ? 7 : 3)
        let rooms = random.below(10) == 0 ? 2 : 1
        let arrival = CalendarDay(number: Int(booked / 86_400) + lead)
        let departure = CalendarDay(number: arrival.number + nights)
        let rate = property.rate * (0.8 + 0.5 * random.unit())
        let gross = (rate * Double(nights * rooms) * 100).rounded() / 100
        let commission = (gross * 0.08 * 100).rounded() / 100
        let platform = (gross * 0.03 * 100).rounded() / 100
        let processing = (gross * 0.015 * 100).rounded() / 100
        let net = ((gross - commission - platform - processing) * 100).rounded() / 100
        let id = HistorySimulator.uuid(UInt64(serial), salt: 0xB00C)
        let code = "WK" + String(serial, radix: 36).uppercased()
        func money(_ value: Double) -> String {
            "{\"amount\":\(Figures.format(value, grouped: false)),\"currency\":\"\(property.currency)\"}"
        }
        func body(_ key: String, version: Int, status: String, at time: Int64, extra: String = "") -> Event {
            let when = Timestamp(seconds: time).iso8601
            return Event(
                body: """
                    {"id":"\(HistorySimulator.uuid(UInt64(serial) << 8 | UInt64(version), salt: 0xE7E7))","type":"\(key)",\
                    "createdDate":"\(when)","entity":{"identifier":"\(entity ?? property.id)","name":"\(property.name)"},\
                    "data":{"id":"\(id)","bookingCode":"\(code)","version":\(version),"bookingStatus":"\(status)",\
                    "creation":"NORMAL","createdDate":"\(Timestamp(seconds: booked).iso8601.prefix(19))",\
                    "lastUpdate":"\(when.prefix(19))","roomStay":{"startDate":"\(arrival)","endDate":"\(departure)",\
                    "adults":2,"children":\(random.below(4) == 0 ? 1 : 0),"guests":2,"quantity":\(rooms),\
                    "roomNights":\(nights * rooms)},"hotel":{"hotelIdentifier":"\(property.id)","name":"\(property.name)",\
                    "currencyCode":"\(property.currency)"},"customization":{"id":"\(channel.id)","name":"\(channel.name)"},\
                    "sourceCurrency":"\(property.currency)","grossSourceAmount":\(money(gross)),"netSourceAmount":\(money(net)),\
                    "netTotalFeesAndCommissionsSourceAmount":\(money(commission + platform + processing)),\
                    "totalPlatformFeeSourceAmount":\(money(platform)),"totalPaymentProcessingFeeSourceAmount":\(money(processing)),\
                    "totalAffiliateAgencyFeesSourceAmount":\(money(commission)),"totalSupplierAgencyFeesSourceAmount":\(money(0)),\
                    "paymentType":"STRIPE","paymentVendor":"STRIPE"\(extra)}}
                    """, time: Timestamp(seconds: time),
                id: HistorySimulator.uuid(UInt64(serial) << 8 | UInt64(version), salt: 0xE7E7))
        }
        let failed = random.below(33) == 0
        var events = [
            Event(
                body: """
                    {"id":"\(HistorySimulator.uuid(UInt64(serial), salt: 0xFA11))","type":"internal.payment.\(failed ? "failed" : "succeeded")",\
                    "createdDate":"\(Timestamp(seconds: booked - 3).iso8601)","entity":{"identifier":"\(entity ?? property.id)"},\
                    "data":{"bookingIdentifier":"\(id)","bookingCode":"\(code)","status":"\(failed ? "FAILED" : "SUCCEEDED")",\
                    "amount":\(money(gross)),"paymentVendor":"STRIPE","hotelIdentifier":"\(property.id)"}}
                    """, time: Timestamp(seconds: booked - 3), id: HistorySimulator.uuid(UInt64(serial), salt: 0xFA11))
        ]
        guard !failed else { return events }
        events.append(body("booking.create", version: 1, status: "PAYMENT_SUCCEEDED", at: booked))
        let arrivalTime = Int64(arrival.number) * 86_400 + 14 * 3_600
        if random.below(8) == 0 {
            let noShow = random.below(5) == 0
            let cancelled =
                noShow ? arrivalTime + 86_400 : booked + Int64(random.below(Int(max(3_600, arrivalTime - booked))))
            guard cancelled < now else { return events }
            let type = noShow ? "NO_SHOW" : "CANCELLATION"
            events.append(
                body(
                    "booking.cancelled", version: 2, status: "CANCELLED", at: cancelled,
                    extra:
                        ",\"cancelled\":true,\"cancellationType\":\"\(type)\",\"cancelledOn\":\"\(Timestamp(seconds: cancelled).iso8601.prefix(19))\""
                ))
            if !noShow, random.below(2) == 0, cancelled + 600 < now {
                let refund = (gross * (nights > 1 ? Double(nights - 1) / Double(nights) : 1) * 100).rounded() / 100
                events.append(
                    body(
                        nights > 1 ? "booking.refund.partial" : "booking.refund.full", version: 3,
                        status: nights > 1 ? "PARTIALLY_REFUNDED" : "FULLY_REFUNDED", at: cancelled + 600,
                        extra: ",\"refund\":{\"sourceAmount\":\(money(refund)),\"status\":\"PROCESSED\"}"))
            }
        }
        return events
    }

    /// A property, rate or availability change.
    mutating func change(at time: Int64, serial: Int) -> Event {
        let property = HistorySimulator.properties[random.below(HistorySimulator.properties.count)]
        let key = [
            "property.updated", "rate_plan.updated", "channel-manager.update.availability",
            "channel-manager.update.rate",
        ][
            random.below(4)]
        return Event(
            body: """
                {"id":"\(HistorySimulator.uuid(UInt64(serial), salt: 0xC4A9))","type":"\(key)","createdDate":"\(Timestamp(seconds: time).iso8601)",\
                "entity":{"identifier":"\(entity ?? property.id)"},"data":{"hotelIdentifier":"\(property.id)",\
                "identifier":"\(HistorySimulator.uuid(UInt64(serial), salt: 0x5A7E))","status":"APPLIED"}}
                """, time: Timestamp(seconds: time), id: HistorySimulator.uuid(UInt64(serial), salt: 0xC4A9))
    }

    /// A version-4-shaped uuid from a number (deterministic).
    static func uuid(_ n: UInt64, salt: UInt64) -> String {
        var mixer = SplitMix64(seed: n &* 0x9E37_79B9_7F4A_7C15 ^ salt)
        let a = mixer.next()
        let b = mixer.next()
        let hex = Hex.encode(
            (0..<8).map { UInt8(truncatingIfNeeded: a >> (8 * $0)) }
                + (0..<8).map { UInt8(truncatingIfNeeded: b >> (8 * $0)) })
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-4" + String(c[13..<16]) + "-a" + String(c[17..<20]) + "-"
            + String(c[20..<32])
    }
}

/// A small, fast, seedable generator (SplitMix64).
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`.
    mutating func below(_ bound: Int) -> Int { bound > 0 ? Int(next() % UInt64(bound)) : 0 }

    /// A number in `[0, 1)`.
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
