/// Checks of single values: their format, independent of the rest of the file and the directory.
///
/// Each check is a pure function over text; the ``RowNormalizer`` calls them and turns
/// their answers into findings.
public enum FieldRules {
    /// The characters that make a username look like another: bidirectional marks,
    /// zero-width characters, the BOM and controls.
    static func invisibleScalar(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { scalar in
            switch scalar.value {
            case 0..<0x20, 0x7F..<0xA0: true
            case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x2069, 0xFEFF, 0x061C, 0x00AD: true
            default: false
            }
        }
    }

    /// Whether `email` has one `@`, text before it, a dot inside the domain and no spaces.
    public static func isValidEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return false }
        let domain = parts[1]
        guard let dot = domain.firstIndex(of: "."), dot != domain.startIndex, domain.last != ".",
            !domain.contains("..")
        else { return false }
        return !email.contains { $0.isWhitespace } && invisibleScalar(in: email) == nil
    }

    /// Whether `text` is one or more ASCII digits.
    public static func isDigits<S: StringProtocol>(_ text: S) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Whether `text` looks like a number a spreadsheet turned into scientific notation (`4.41E+11`).
    public static func isScientificNotation(_ text: String) -> Bool {
        let upper = text.uppercased()
        guard let e = upper.firstIndex(of: "E") else { return false }
        let mantissa = upper[..<e]
        var exponent = upper[upper.index(after: e)...]
        if exponent.first == "+" || exponent.first == "-" { exponent = exponent.dropFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), isDigits(parts[0]), isDigits(exponent) else { return false }
        return parts.count == 1 || isDigits(parts[1])
    }

    /// What a phone number cell holds once spaces, dashes, dots and parentheses are gone.
    public enum PhoneReading: Equatable, Sendable {
        /// E.164: `+` then 8 to 15 digits.
        case e164(String)
        /// 8 to 15 digits without the `+`: a spreadsheet dropped it.
        case lostPlus(String)
        /// Scientific notation: a spreadsheet turned it into a float.
        case scientific
        /// Anything else.
        case invalid
    }

    /// Reads a phone number as DOMAIN.md §3 says.
    public static func readPhone(_ text: String) -> PhoneReading {
        if isScientificNotation(text) { return .scientific }
        let kept = text.filter { !" -.()\u{00A0}".contains($0) }
        if kept.hasPrefix("+") {
            let digits = kept.dropFirst()
            return isDigits(digits) && (8...15).contains(digits.count) ? .e164(kept) : .invalid
        }
        if isDigits(kept) && (8...15).contains(kept.count) { return .lostPlus(kept) }
        return .invalid
    }

    /// Whether `text` is a language tag like `en`, `en-US`, `zh-Hant-TW` or `es-419`.
    public static func isValidLanguage(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let language = parts.first, (2...3).contains(language.count), language.allSatisfy(\.isASCIILetter),
            parts.count <= 3
        else { return false }
        for part in parts.dropFirst() {
            let script = part.count == 4 && part.allSatisfy(\.isASCIILetter)
            let region = (part.count == 2 && part.allSatisfy(\.isASCIILetter)) || (part.count == 3 && isDigits(part))
            guard script || region else { return false }
        }
        return true
    }

    /// Whether `text` is an IANA time zone name such as `Europe/Paris`.
    public static func isValidTimeZone(_ text: String) -> Bool {
        IANATimeZones.names.contains(text)
    }

    /// Reads a boolean word: yes/no, true/false, 1/0, y/n, in any case; nil when it is none.
    public static func readBoolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "yes", "true", "1", "y", "on": true
        case "no", "false", "0", "n", "off": false
        default: nil
        }
    }
}

extension Character {
    /// Whether this is `a` to `z` or `A` to `Z`.
    var isASCIILetter: Bool { isASCII && isLetter }
}
