import Crypto

/// The HMAC hash functions senders use.
public enum MACAlgorithm: String, Sendable, CaseIterable {
    case sha1, sha256, sha512

    /// The MAC of `prefix + body + suffix` under `key`, computed in one pass (the body is not copied).
    public func code(key: SymmetricKey, prefix: [UInt8] = [], body: [UInt8], suffix: [UInt8] = []) -> [UInt8] {
        prepared(key).code(prefix: prefix, body: body, suffix: suffix)
    }

    /// The MAC length in bytes.
    public var byteCount: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha512: 64
        }
    }

    /// `key` made ready for this algorithm: its HMAC state, computed once.
    public func prepared(_ key: SymmetricKey) -> PreparedMACKey {
        switch self {
        case .sha1: .sha1(HMAC(key: key))
        case .sha256: .sha256(HMAC(key: key))
        case .sha512: .sha512(HMAC(key: key))
        }
    }

    fileprivate static func code<H: HashFunction>(
        _ start: HMAC<H>, _ prefix: [UInt8], _ body: [UInt8], _ suffix: [UInt8]
    ) -> [UInt8] {
        var mac = start
        if !prefix.isEmpty { mac.update(data: prefix) }
        mac.update(data: body)
        if !suffix.isEmpty { mac.update(data: suffix) }
        return Array(mac.finalize())
    }
}

/// An HMAC key made ready once: the state after hashing the padded key (two compressions and an
/// allocation per message when made anew), copied for each message.
public enum PreparedMACKey: Sendable {
    case sha1(HMAC<Insecure.SHA1>)
    case sha256(HMAC<SHA256>)
    case sha512(HMAC<SHA512>)

    /// The MAC of `prefix + body + suffix`, in one pass: the same as `MACAlgorithm.code(key:…)`.
    public func code(prefix: [UInt8] = [], body: [UInt8], suffix: [UInt8] = []) -> [UInt8] {
        switch self {
        case .sha1(let start): MACAlgorithm.code(start, prefix, body, suffix)
        case .sha256(let start): MACAlgorithm.code(start, prefix, body, suffix)
        case .sha512(let start): MACAlgorithm.code(start, prefix, body, suffix)
        }
    }
}
