/// Builds JSON text by hand, so that keys keep the order they are written in.
enum JSONText {
    /// The JSON string literal of `text`, quotes included.
    ///
    /// Quotes, backslashes and control characters are escaped as JSON requires; U+2028 and
    /// U+2029 too, since older JavaScript parsers end a line there. With `forHTMLScript`,
    /// `<`, `>` and `&` become `\u003c`, `\u003e` and `\u0026`, so the text can sit inside a
    /// `<script>` element without `</script>` or `<!--` ever appearing in it.
    static func quoted(_ text: String, forHTMLScript: Bool = false) -> String {
        var result = "\""
        result.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case "\u{2028}", "\u{2029}": result += unicodeEscape(scalar)
            case "<", ">", "&":
                if forHTMLScript { result += unicodeEscape(scalar) } else { result.unicodeScalars.append(scalar) }
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += unicodeEscape(scalar)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        result += "\""
        return result
    }

    /// `\uXXXX` for a scalar of the Basic Multilingual Plane.
    private static func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
