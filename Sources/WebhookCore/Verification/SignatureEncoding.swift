import FoundationEssentials

/// How a MAC is written in a header.
public enum SignatureEncoding: String, Sendable, CaseIterable {
    case hex, base64

    /// The bytes of `text`, or `nil` when it is not this encoding (hex: either case).
    public func decode(_ text: Substring) -> [UInt8]? {
        switch self {
        case .hex: Hex.decode(text)
        case .base64: Data(base64Encoded: String(text)).map(Array.init)
        }
    }

    /// `bytes` in this encoding (hex: lowercase).
    public func encode(_ bytes: [UInt8]) -> String {
        switch self {
        case .hex: Hex.encode(bytes)
        case .base64: Data(bytes).base64EncodedString()
        }
    }
}
