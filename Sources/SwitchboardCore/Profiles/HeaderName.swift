/// How header names compare: the folding every profile's column lookup goes through.
///
/// Vendors, spreadsheets and people write one header many ways: `First Name`,
/// `first_name`, ` FIRST  NAME `, `first-name`. All of them fold to `first name`.
///
/// ```swift
/// HeaderName.fold("\u{FEFF} DIRECTORY NUMBER  1") // "directory number 1"
/// HeaderName.fold("voicemail_vmpwd")              // "voicemail vmpwd"
/// ```
public enum HeaderName {
    /// Folds a header name for comparison: lowercased, trimmed, separators merged.
    ///
    /// - Letters are lowercased (Unicode-aware).
    /// - A byte-order mark and zero-width characters (U+200B to U+200D, U+2060, U+FEFF)
    ///   are dropped wherever they are: a BOM that survived decoding, or one pasted from a
    ///   web page, must not make the first column unknown.
    /// - Spaces, tabs and other whitespace, `_` and `-` are separators: each run of them
    ///   becomes one space, and runs at either end are dropped.
    ///
    /// CamelCase is not split: 3CX's `FirstName` folds to `firstname`, as Wazo's `firstname` does.
    public static func fold(_ name: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(name.utf8.count)
        var pendingSeparator = false
        for scalar in name.unicodeScalars {
            if isInvisible(scalar) { continue }
            if isSeparator(scalar) {
                pendingSeparator = !result.unicodeScalars.isEmpty
                continue
            }
            if pendingSeparator {
                result.unicodeScalars.append(" ")
                pendingSeparator = false
            }
            result.unicodeScalars.append(scalar)
        }
        return result.lowercased()
    }

    /// The header name as the file writes it, for messages: invisible characters dropped, whitespace trimmed.
    ///
    /// `"\u{FEFF}First Name "` shows as `First Name`; case and inner spacing are kept.
    public static func display(_ name: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars where !isInvisible(scalar) { scalars.append(scalar) }
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)].properties.isWhitespace {
            end = scalars.index(before: end)
        }
        return String(String.UnicodeScalarView(scalars[start..<end]))
    }

    /// Whether a folded header name looks like it holds a secret: `pass`, `pwd`, `secret` or
    /// `passcode` anywhere in it, or a word that is `pin`, ends with `pin` or starts with `pincode`.
    ///
    /// `AuthPassword`, `DeskphoneWebPass`, `SrvcAccessPwd`, `devinfo_secret`, `phone_password`,
    /// `PIN` and `VMPIN` all do; `pinless` (a FreePBX feature) does not. Such a column is blanked in the rejects file whatever role it has,
    /// unless it maps a canonical field that is no secret.
    public static func looksSecret(_ folded: String) -> Bool {
        for marker in ["pass", "pwd", "secret"] where folded.contains(marker) { return true }
        for word in folded.split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
            if word.hasSuffix("pin") || word.hasPrefix("pincode") { return true }
        }
        return false
    }

    /// Whether the scalar separates words in a header name.
    static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar == "-" || scalar.properties.isWhitespace
    }

    /// Whether the scalar is a byte-order mark or a zero-width character.
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0xFEFF, 0x200B, 0x200C, 0x200D, 0x2060: true
        default: false
        }
    }
}
