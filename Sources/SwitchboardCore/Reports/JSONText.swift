/// JSON string escaping over UTF-8 bytes: every JSON Switchboard prints or writes goes through it.
public enum JSONText {
    private static let hex = Array("0123456789abcdef".utf8)

    /// Appends `utf8` as a quoted JSON string; the bytes must be valid UTF-8.
    ///
    /// Quotes, backslashes and control characters are escaped as JSON requires, and U+2028 and
    /// U+2029 too (older JavaScript parsers take them for line ends). With `forHTMLScript`, `<`,
    /// `>` and `&` become `\u003c`, `\u003e` and `\u0026`, so the text can sit inside a
    /// `<script>` element without `</script>` or `<!--` in it.
    public static func appendString(
        _ utf8: some Collection<UInt8>, to out: inout [UInt8], forHTMLScript: Bool = false
    ) {
        out.append(UInt8(ascii: "\""))
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            utf8.formIndex(after: &index)
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20, 0x7F: appendEscape(UInt32(byte), to: &out)
            case UInt8(ascii: "<"), UInt8(ascii: ">"),
                UInt8(ascii: "&") where forHTMLScript:
                appendEscape(UInt32(byte), to: &out)
            case 0xE2:
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
                var next = index
                if next != utf8.endIndex, utf8[next] == 0x80 {
                    utf8.formIndex(after: &next)
                    if next != utf8.endIndex, utf8[next] == 0xA8 || utf8[next] == 0xA9 {
                        appendEscape(utf8[next] == 0xA8 ? 0x2028 : 0x2029, to: &out)
                        utf8.formIndex(after: &next)
                        index = next
                        continue
                    }
                }
                out.append(byte)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The JSON string literal of `text`, quotes included (see ``appendString(_:to:forHTMLScript:)``).
    public static func quoted(_ text: String, forHTMLScript: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 2)
        appendString(text.utf8, to: &bytes, forHTMLScript: forHTMLScript)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `\uXXXX` for a scalar of the Basic Multilingual Plane.
    private static func appendEscape(_ value: UInt32, to out: inout [UInt8]) {
        out.append(contentsOf: [0x5C, UInt8(ascii: "u")])
        for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int((value >> UInt32(shift)) & 0xF)]) }
    }
}
