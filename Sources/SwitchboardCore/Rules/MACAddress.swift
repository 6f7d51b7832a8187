/// A phone's MAC address: read in any spelling vendors write, kept in one normal form.
///
/// The normal form is twelve uppercase hexadecimal digits with no separators, as 3CX writes
/// them and as a Cisco device name ends: `00:11:22:aa:bb:cc`, `00-11-22-AA-BB-CC`,
/// `0011.22aa.bbcc` and `001122aabbcc` are all `001122AABBCC`.
///
/// ```swift
/// MACAddress.normalized("0011.22aa.bbcc")                 // "001122AABBCC"
/// MACAddress.written("001122AABBCC", as: .colonsLower)    // "00:11:22:aa:bb:cc"
/// ```
public enum MACAddress {
    /// How an export writes a MAC address.
    public enum Style: String, Sendable, Hashable {
        /// The normal form: `001122AABBCC` (3CX, Switchvox).
        case bare
        /// Lowercase pairs between colons: `00:11:22:aa:bb:cc` (Kazoo).
        case colonsLower
        /// Uppercase pairs between colons: `00:11:22:AA:BB:CC` (BroadWorks).
        case colonsUpper
    }

    /// The normal form of `text`, or nil when it is not a MAC address.
    ///
    /// Colons, dashes, dots and spaces between the digits are dropped wherever they are; what is
    /// left must be exactly twelve hexadecimal digits.
    public static func normalized(_ text: some StringProtocol) -> String? {
        var digits: [UInt8] = []
        digits.reserveCapacity(12)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: " "): continue
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "F"): digits.append(byte)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digits.append(byte - 0x20)
            default: return nil
            }
            if digits.count > 12 { return nil }
        }
        return digits.count == 12 ? String(decoding: digits, as: UTF8.self) : nil
    }

    /// Whether `text` is already in the normal form.
    public static func isNormal(_ text: String) -> Bool { normalized(text) == text }

    /// `normal`, a MAC address in the normal form, written in `style`; any other text as it is.
    public static func written(_ normal: String, as style: Style) -> String {
        guard isNormal(normal), style != .bare else { return normal }
        let pairs = stride(from: 0, to: 12, by: 2).map { offset -> String in
            let start = normal.utf8.index(normal.utf8.startIndex, offsetBy: offset)
            return String(normal[start..<normal.utf8.index(start, offsetBy: 2)])
        }
        let joined = pairs.joined(separator: ":")
        return style == .colonsLower ? joined.lowercased() : joined
    }
}
