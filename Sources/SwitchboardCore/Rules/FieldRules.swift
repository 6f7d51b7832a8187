/// Checks of single values: their format, independent of the rest of the file and the directory.
///
/// Each check is a pure function over text; the ``RowNormalizer`` calls them and turns
/// their answers into findings.
public enum FieldRules {
    /// The characters that make a username look like another: bidirectional marks,
    /// zero-width characters, the BOM and controls.
    static func invisibleScalar(in text: String) -> Unicode.Scalar? {
        var text = text
        return text.withUTF8(invisibleScalar(utf8:))
    }

    /// ``invisibleScalar(in:)`` of the text whose UTF-8 is `bytes`.
    static func invisibleScalar(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Unicode.Scalar? {
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return nil }
        return String(decoding: bytes, as: UTF8.self).unicodeScalars.first { scalar in
            switch scalar.value {
            case 0..<0x20, 0x7F..<0xA0: true
            case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x2069, 0xFEFF, 0x061C, 0x00AD: true
            default: false
            }
        }
    }

    /// The first character of a free-text value that a terminal or a C string would cut or
    /// reorder: a control character but TAB, LF and CR (NUL included), or a bidirectional control.
    ///
    /// Zero-width joiners stay allowed: emoji sequences need them.
    static func controlScalar(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Unicode.Scalar? {
        // Read from the bytes: each scalar looked for has one UTF-8 form, and most text has none of
        // their lead bytes (C0 controls and DEL; C2 for C1 controls, D8 for U+061C, E2 for the marks).
        guard let base = bytes.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        var index = 0
        let count = bytes.count
        while index < count {
            // Eight bytes at a time where they are all printable ASCII, as most text is.
            if index + 8 <= count, isPrintableASCII(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                index += 8
                continue
            }
            let byte = bytes[index]
            index += 1
            if byte >= 0x20 && byte < 0x7F { continue }
            switch byte {
            case 0x09, 0x0A, 0x0D: continue
            case 0..<0x20, 0x7F: return Unicode.Scalar(byte)
            case 0xC2 where index < count && (0x80...0x9F).contains(bytes[index]):
                return Unicode.Scalar(UInt32(bytes[index]))
            case 0xD8 where index < count && bytes[index] == 0x9C:
                return Unicode.Scalar(0x061C)
            case 0xE2 where index + 1 < count && (bytes[index] == 0x80 || bytes[index] == 0x81):
                let value = 0x2000 | UInt32(bytes[index] & 0x0F) << 6 | UInt32(bytes[index + 1] & 0x3F)
                switch value {
                case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return Unicode.Scalar(value)
                default: continue
                }
            default: continue
            }
        }
        return nil
    }

    /// Whether every byte of `word` is printable ASCII, `0x20` to `0x7E`; false may be wrong (a
    /// borrow between bytes), never true.
    @inline(__always)
    static func isPrintableASCII(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let below = (word &- ones &* 0x20) & ~word & high
        let delete = word ^ (ones &* 0x7F)
        let isDelete = (delete &- ones) & ~delete & high
        return (word & high) | below | isDelete == 0
    }

    /// `U+XXXX` for `scalar`, at least four hex digits.
    static func code(of scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// Whether `email` has one `@`, text before it, a dot inside the domain and no spaces.
    public static func isValidEmail(_ email: String) -> Bool {
        var email = email
        return email.withUTF8(isValidEmail(utf8:))
    }

    /// ``isValidEmail(_:)`` of the email whose UTF-8 is `bytes`.
    static func isValidEmail(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var ascii = true
        // One pass: the `@`, the domain's first dot, and two dots in a row within the domain.
        // Most bytes are none of those, nor whitespace nor beyond ASCII: they are passed over
        // after two comparisons.
        var at = -1
        var dot = -1
        for index in 0..<bytes.count {
            let byte = bytes[index]
            if byte > UInt8(ascii: ".") && byte < 0x80 && byte != UInt8(ascii: "@") { continue }
            switch byte {
            case UInt8(ascii: "@"):
                if at >= 0 { return false }
                at = index
            case UInt8(ascii: ".") where at >= 0:
                if index > 0 && bytes[index - 1] == UInt8(ascii: ".") { return false }
                if dot < 0 { dot = index }
            case 0x09...0x0D, 0x20: return false
            case 0x80...: ascii = false
            default: break
            }
        }
        guard at > 0 && dot > at + 1 && bytes[bytes.count - 1] != UInt8(ascii: ".") else { return false }
        if ascii { return true }
        return invisibleScalar(utf8: bytes) == nil
            && !String(decoding: bytes, as: UTF8.self).unicodeScalars.contains { $0.properties.isWhitespace }
    }

    /// Whether `text` is one or more ASCII digits.
    public static func isDigits<S: StringProtocol>(_ text: S) -> Bool { isDigits(utf8: text.utf8) }

    /// Whether the UTF-8 bytes `bytes` are one or more ASCII digits.
    static func isDigits<Bytes: Collection<UInt8>>(utf8 bytes: Bytes) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Whether `text` looks like a number a spreadsheet turned into scientific notation (`4.41E+11`).
    public static func isScientificNotation(_ text: String) -> Bool {
        var bytes = text
        guard bytes.withUTF8({ $0.contains { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } }) else {
            return false
        }
        let upper = text.uppercased()
        guard let e = upper.firstIndex(of: "E") else { return false }
        let mantissa = upper[..<e]
        var exponent = upper[upper.index(after: e)...]
        if exponent.first == "+" || exponent.first == "-" { exponent = exponent.dropFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), isDigits(parts[0]), isDigits(exponent) else { return false }
        return parts.count == 1 || isDigits(parts[1])
    }

    /// ``isScientificNotation(_:)`` of the text whose UTF-8 is `bytes`: made a String only when it
    /// holds an `e` or `E`.
    static func isScientificNotation(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.contains { $0 | 0x20 == UInt8(ascii: "e") }
            && isScientificNotation(String(decoding: bytes, as: UTF8.self))
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
        var text = text
        return text.withUTF8(readPhone(utf8:))
    }

    /// Reads the phone number whose UTF-8 is `bytes`, as ``readPhone(_:)``.
    static func readPhone(utf8 bytes: UnsafeBufferPointer<UInt8>) -> PhoneReading {
        if isScientificNotation(utf8: bytes) { return .scientific }
        return scanPhone(utf8: bytes) { kept, plus in
            guard let kept else { return .invalid }
            let number = String(decoding: kept, as: UTF8.self)
            return plus ? .e164(number) : .lostPlus(number)
        }
    }

    /// Calls `body` with the UTF-8 of the E.164 number `bytes` read as (``readPhone(_:)``'s
    /// `.e164` text), without making a String; nil, without calling it, for anything else.
    static func withE164<R>(utf8 bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
        // Scientific notation (`4.41E+11`) keeps its `E`, and is no E.164 number: no need to look for it first.
        scanPhone(utf8: bytes) { kept, plus in
            guard let kept, plus else { return nil }
            return body(kept)
        }
    }

    /// Drops the spaces, dashes, dots, parentheses and no-break spaces of the phone number
    /// `bytes` and calls `body` with what is left when it is an optional `+` then 8 to 15 digits
    /// (and whether the `+` is there), or with nil.
    private static func scanPhone<R>(
        utf8 bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>?, Bool) -> R
    ) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(bytes.count, 1)) { kept -> R in
            var count = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                // Digits, most of the bytes, are kept after one comparison.
                if byte &- UInt8(ascii: "0") < 10 {
                    kept[count] = byte
                    count += 1
                    continue
                }
                switch byte {
                case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"):
                    continue
                case 0xC2 where index < bytes.count && bytes[index] == 0xA0:
                    index += 1  // U+00A0, the no-break space
                    continue
                case 0x80...: return body(nil, false)
                default:
                    kept[count] = byte
                    count += 1
                }
            }
            let plus = count > 0 && kept[0] == UInt8(ascii: "+")
            let digits = UnsafeBufferPointer(rebasing: kept[(plus ? 1 : 0)..<count])
            guard (8...15).contains(digits.count), isDigits(utf8: digits) else { return body(nil, false) }
            return body(UnsafeBufferPointer(rebasing: kept[0..<count]), plus)
        }
    }

    /// Whether `text` is a language tag like `en`, `en-US`, `zh-Hant-TW` or `es-419`.
    public static func isValidLanguage(_ text: String) -> Bool {
        var text = text
        return text.withUTF8(isValidLanguage(utf8:))
    }

    /// Whether the UTF-8 `bytes` are a language tag, as ``isValidLanguage(_:)``.
    static func isValidLanguage(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // The parts between hyphens, read in one pass: at most three.
        var parts = 0
        var start = 0
        for end in 0...bytes.count where end == bytes.count || bytes[end] == UInt8(ascii: "-") {
            let part = UnsafeBufferPointer(rebasing: bytes[start..<end])
            parts += 1
            let letters = part.allSatisfy { (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
            if parts == 1 {
                guard (2...3).contains(part.count), letters else { return false }
            } else {
                let script = part.count == 4 && letters
                let region =
                    (part.count == 2 && letters) || (part.count == 3 && isDigits(utf8: part))
                guard parts <= 3, script || region else { return false }
            }
            start = end + 1
        }
        return true
    }

    /// Whether `text` is an IANA time zone name such as `Europe/Paris`.
    public static func isValidTimeZone(_ text: String) -> Bool {
        IANATimeZones.names.contains(text)
    }

    /// Whether the UTF-8 `bytes` are an IANA time zone name, as ``isValidTimeZone(_:)``.
    static func isValidTimeZone(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        IANATimeZones.contains(utf8: bytes)
    }

    /// Reads a boolean word: yes/no, true/false, 1/0, y/n, in any case; nil when it is none.
    public static func readBoolean(_ text: String) -> Bool? {
        var text = text
        return text.withUTF8(readBoolean(utf8:))
    }

    /// Reads the boolean word whose UTF-8 is `bytes`, as ``readBoolean(_:)``.
    static func readBoolean(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        if word(bytes, among: ["yes", "true", "1", "y", "on", "enabled"]) != nil { return true }
        if word(bytes, among: ["no", "false", "0", "n", "off", "disabled"]) != nil { return false }
        return nil
    }

    /// The place in `words` (lower-case ASCII) of the one that `bytes` spell, capitals read as
    /// small letters; nil when they spell none.
    ///
    /// This is `words.firstIndex(of: NormalizedRow.fold(text))` read from bytes: no scalar beyond
    /// ASCII folds to the letters of these words, so a byte beyond ASCII matches none.
    static func word(_ bytes: UnsafeBufferPointer<UInt8>, among words: [StaticString]) -> Int? {
        words.firstIndex { word in
            word.withUTF8Buffer { letters in
                guard letters.count == bytes.count else { return false }
                for offset in 0..<bytes.count {
                    let byte = bytes[offset]
                    if ((byte &- 0x41) < 26 ? byte | 0x20 : byte) != letters[offset] { return false }
                }
                return true
            }
        }
    }
}

extension Character {
    /// Whether this is `a` to `z` or `A` to `Z`.
    var isASCIILetter: Bool { isASCII && isLetter }
}
