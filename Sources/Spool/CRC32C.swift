internal import CChecksum

/// CRC-32C (Castagnoli, the polynomial of iSCSI, ext4 and PostgreSQL's WAL): every spooled delivery is
/// checksummed when written and when read back. With the CPU's crc32 instruction where it has one
/// (x86-64 with SSE 4.2, through `CChecksum`), else table-driven, eight bytes at a time ("slicing-by-8").
enum CRC32C {
    /// Eight tables of 256 entries, one after another: entry `k * 256 + n` is the CRC register after byte
    /// `n` followed by `k` zero bytes (`k = 0` is the classic byte-at-a-time table).
    static let table: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 != 0 ? 0x82F6_3B78 ^ (c >> 1) : c >> 1 }
            table[n] = c
        }
        for k in 1..<8 {
            for n in 0..<256 {
                let previous = table[(k - 1) * 256 + n]
                table[k * 256 + n] = table[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        return table
    }()

    /// The checksum of `bytes`.
    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        let crc =
            bytes.withContiguousStorageIfAvailable { update(0xFFFF_FFFF, $0) }
            ?? Array(bytes).withUnsafeBufferPointer { update(0xFFFF_FFFF, $0) }
        return crc ^ 0xFFFF_FFFF
    }

    /// Whether the CPU computes it (asked once).
    static let hardware = winkhook_crc32c_hardware() != 0

    private static func update(_ start: UInt32, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        if hardware, let base = bytes.baseAddress { return winkhook_crc32c_update(start, base, bytes.count) }
        return tableUpdate(start, bytes)
    }

    /// The table-driven loop (also what the tests hold the instruction to).
    static func tableUpdate(_ start: UInt32, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        table.withUnsafeBufferPointer { t in
            var crc = start
            var at = 0
            while bytes.count - at >= 8 {
                let low =
                    crc
                    ^ (UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16
                        | UInt32(bytes[at + 3]) << 24)
                crc =
                    t[7 * 256 + Int(low & 0xFF)] ^ t[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((low >> 16) & 0xFF)] ^ t[4 * 256 + Int(low >> 24)]
                    ^ t[3 * 256 + Int(bytes[at + 4])] ^ t[2 * 256 + Int(bytes[at + 5])]
                    ^ t[256 + Int(bytes[at + 6])] ^ t[Int(bytes[at + 7])]
                at += 8
            }
            while at < bytes.count {
                crc = t[Int((crc ^ UInt32(bytes[at])) & 0xFF)] ^ (crc >> 8)
                at += 1
            }
            return crc
        }
    }
}
