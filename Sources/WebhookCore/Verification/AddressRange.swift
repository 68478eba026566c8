/// An IPv4 or IPv6 network in CIDR notation (`192.0.2.0/24`, `2001:db8::/32`, or one address).
public struct AddressRange: Sendable, Equatable, CustomStringConvertible {
    /// 16 bytes; IPv4 is stored IPv4-mapped (`::ffff:a.b.c.d`).
    let network: [UInt8]
    /// Prefix length over the 128 bits.
    let prefix: Int
    public let description: String
    /// Whether it is an IPv4 range.
    public let isIPv4: Bool
    /// The prefix length as written (0–32 for IPv4, 0–128 for IPv6).
    public var prefixLength: Int { isIPv4 ? prefix - 96 : prefix }

    /// Parses `address[/prefix]`. Returns `nil` for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = AddressRange.parseAddress(parts[0]) else { return nil }
        let isV4 = !parts[0].contains(":")
        let maximum = isV4 ? 32 : 128
        var length = maximum
        if parts.count == 2 {
            guard let n = Int(parts[1]), (0...maximum).contains(n), parts[1].allSatisfy(\.isNumber) else { return nil }
            length = n
        }
        let prefix = isV4 ? length + 96 : length
        self.prefix = prefix
        self.isIPv4 = isV4
        self.network = AddressRange.masked(address, prefix)
        self.description = text
    }

    /// Whether `address` (text) is inside the range. Unparseable text is never inside.
    public func contains(_ address: String) -> Bool {
        guard let bytes = AddressRange.parseAddress(Substring(address)) else { return false }
        return AddressRange.masked(bytes, prefix) == network
    }

    static func masked(_ bytes: [UInt8], _ prefix: Int) -> [UInt8] {
        var out = bytes
        for i in 0..<16 {
            let bits = max(0, min(8, prefix - i * 8))
            out[i] &= bits == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
        }
        return out
    }

    /// 16 bytes for an IPv4 (mapped) or IPv6 address; a `%zone` is ignored, brackets are removed.
    static func parseAddress(_ raw: Substring) -> [UInt8]? {
        var text = raw
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        if !text.contains(":") {
            guard let v4 = parseV4(text) else { return nil }
            return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + v4
        }
        let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String, allowV4: Bool) -> [UInt16]? {
            guard !part.isEmpty else { return [] }
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            var words: [UInt16] = []
            for (i, piece) in pieces.enumerated() {
                if allowV4, i == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseV4(piece) else { return nil }
                    words += [UInt16(v4[0]) << 8 | UInt16(v4[1]), UInt16(v4[2]) << 8 | UInt16(v4[3])]
                } else {
                    guard (1...4).contains(piece.utf8.count), let value = UInt16(piece, radix: 16) else { return nil }
                    words.append(value)
                }
            }
            return words
        }
        let words: [UInt16]
        if halves.count == 2 {
            guard let left = groups(halves[0], allowV4: false), let right = groups(halves[1], allowV4: true),
                left.count + right.count < 8
            else { return nil }
            words = left + [UInt16](repeating: 0, count: 8 - left.count - right.count) + right
        } else {
            guard let all = groups(halves[0], allowV4: true), all.count == 8 else { return nil }
            words = all
        }
        return words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    static func parseV4(_ text: Substring) -> [UInt8]? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var out: [UInt8] = []
        for octet in octets {
            guard (1...3).contains(octet.utf8.count), octet.allSatisfy(\.isASCII), octet.allSatisfy(\.isNumber),
                let value = UInt8(octet)
            else { return nil }
            out.append(value)
        }
        return out
    }
}
