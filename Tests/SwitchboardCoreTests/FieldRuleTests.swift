import Testing

@testable import SwitchboardCore

@Suite("Field rules")
struct FieldRuleTests {
    @Test(
        "Emails need one @, a dot in the domain and no spaces",
        arguments: [
            ("a@example.com", true), ("first.last@sub.example.co.uk", true), ("no-at.example.com", false),
            ("two@@example.com", false), ("a@b@example.com", false), ("a@localhost", false), ("a @example.com", false),
            ("@example.com", false), ("a@.example.com", false), ("a@example.com.", false), ("a@example..com", false),
            ("a..b@example.com", true), ("a@b.c", true), ("a@b.", false), ("a@b..", false), ("a@x.b..c", false),
            ("ü@exämple.com", true), ("a@exa\u{00A0}mple.com", false), ("a@example.com\t", false), ("a@b.c.", false),
        ])
    func emails(_ email: String, _ valid: Bool) {
        #expect(FieldRules.isValidEmail(email) == valid)
    }

    @Test(
        "Phone numbers are E.164 after removing punctuation; spreadsheet damage is told apart",
        arguments: [
            ("+1 415 555 0123", FieldRules.PhoneReading.e164("+14155550123")),
            ("+33 (1) 42.68.53.00", .e164("+33142685300")), ("+49-30-1234567", .e164("+49301234567")),
            ("14155550123", .lostPlus("14155550123")), ("4.41E+11", .scientific), ("4,41E+11", .invalid),
            ("+1234567", .invalid), ("+1234567890123456", .invalid), ("+1 415 CALL NOW", .invalid),
        ])
    func phones(_ text: String, _ reading: FieldRules.PhoneReading) {
        #expect(FieldRules.readPhone(text) == reading)
    }

    @Test(
        "Language tags like en-US",
        arguments: [
            ("en", true), ("en-US", true), ("zh-Hant-TW", true), ("es-419", true), ("english", false), ("en_US", false),
            ("e", false), ("en-USA1", false),
        ])
    func languages(_ text: String, _ valid: Bool) {
        #expect(FieldRules.isValidLanguage(text) == valid)
    }

    @Test(
        "IANA time zone names",
        arguments: [
            ("Europe/Paris", true), ("America/New_York", true), ("UTC", true), ("europe/paris", false), ("CEST", false),
            ("GMT+2", false),
        ])
    func timeZones(_ text: String, _ valid: Bool) {
        #expect(FieldRules.isValidTimeZone(text) == valid)
        #expect(Self.zoneFromBytes(text) == valid)
    }

    /// Whether the bytes of `text` are a time zone name.
    static func zoneFromBytes(_ text: String) -> Bool {
        var text = text
        return text.withUTF8(FieldRules.isValidTimeZone(utf8:))
    }

    @Test("Every time zone name is found from its bytes, and only the names are")
    func timeZonesFromBytes() {
        for name in IANATimeZones.names {
            #expect(Self.zoneFromBytes(name), "\(name)")
            for other in [name + "x", String(name.dropLast()), name.lowercased()] {
                #expect(Self.zoneFromBytes(other) == IANATimeZones.names.contains(other), "\(other)")
            }
        }
        // U+212A KELVIN SIGN is canonically K: the String Set finds it, and so do the bytes.
        let kelvin = "Asia/\u{212A}abul"
        #expect(FieldRules.isValidTimeZone(kelvin) && Self.zoneFromBytes(kelvin))
        #expect(!Self.zoneFromBytes(""))
    }

    @Test("Boolean words in any case")
    func booleans() {
        for yes in ["yes", "YES", "True", "1", "y", "Y"] { #expect(FieldRules.readBoolean(yes) == true) }
        for no in ["no", "FALSE", "0", "n", "N"] { #expect(FieldRules.readBoolean(no) == false) }
        for neither in ["maybe", "2", "", "oui"] { #expect(FieldRules.readBoolean(neither) == nil) }
    }

    @Test(
        "Scientific notation is recognised",
        arguments: [("4.41E+11", true), ("1e5", true), ("4021", false), ("E12", false), ("4.4.1E2", false)])
    func scientific(_ text: String, _ expected: Bool) {
        #expect(FieldRules.isScientificNotation(text) == expected)
    }
}

@Suite("The field stage")
struct RowNormalizerTests {
    @Test("Every bad value of a row is reported at once")
    func everyReasonAtOnce() {
        let row = userRow(
            2,
            [
                .action: "create", .type: "robot", .username: "x", .email: "not-an-email", .extension: "12a",
                .phoneNumber: "555", .language: "english", .timeZone: "Mars/Olympus", .voicemail: "maybe",
                .firstName: "A", .lastName: "B",
            ])
        let found = Set(codes([row])[0])
        #expect(
            found.isSuperset(of: [
                .actionInvalid, .typeInvalid, .emailInvalid, .extensionInvalid, .phoneInvalid, .languageInvalid,
                .timeZoneInvalid, .voicemailInvalid,
            ]))
    }

    @Test("Whitespace is trimmed with a warning, never from secrets")
    func trimming() {
        let row = addRow(2, "ann", ext: "4021", extra: [.firstName: "  Ann ", .voicemailPasscode: " 135790 "])
        let outcome = outcomes([row])[0]
        let trimmed = outcome.findings.filter { $0.code == .fieldTrimmed }
        #expect(trimmed.map(\.field) == ["first_name"])
        #expect(trimmed.allSatisfy { $0.severity == .warning })
        #expect(outcome.row?.row.value(.firstName) == "Ann")
        #expect(outcome.row?.row.value(.voicemailPasscode) == " 135790 ")
    }

    @Test("Unicode whitespace at either end is trimmed; letters beyond ASCII at the ends are kept")
    func unicodeTrimming() {
        // The cell, the value once read (nil: blank, so kept), and whether the cell was trimmed.
        let cases: [(cell: String, value: String?, trimmed: Bool)] = [
            ("\u{3000}Åsa", "Åsa", true), ("Zoë\u{A0}", "Zoë", true), ("\u{2003}Élodie\u{2003}", "Élodie", true),
            ("Éric", "Éric", false), ("Ünal", "Ünal", false), ("e\u{301}", "e\u{301}", false),
            ("x\u{301}\u{A0}", "x\u{301}", true), ("Zoë \u{301}", "Zoë \u{301}", false),
            ("Ольга\u{1680}", "Ольга", true), ("\u{205F}Ольга", "Ольга", true), ("Ольга", "Ольга", false),
            ("\u{85}Zoë\u{202F}", "Zoë", true), ("\u{10348}x\u{10348}", "\u{10348}x\u{10348}", false),
            ("李\u{3000}", "李", true), ("李", "李", false),
        ]
        for (cell, value, trimmed) in cases {
            let outcome = outcomes([addRow(2, "ann", ext: "4021", extra: [.firstName: cell])])[0]
            let warnings = outcome.findings.filter { $0.code == .fieldTrimmed }
            #expect(warnings.map(\.field) == (trimmed ? ["first_name"] : []), "\(cell.unicodeScalars.map(\.value))")
            #expect(outcome.row?.row.value(.firstName) == value, "\(cell.unicodeScalars.map(\.value))")
        }
    }

    @Test("Every whitespace scalar starts with a UTF-8 byte that the trim's quick look lets through")
    func whitespaceLeadBytes() {
        var leads: Set<UInt8> = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value), scalar.properties.isWhitespace else { continue }
            leads.insert(String(scalar).utf8.first!)
        }
        #expect(leads.count > 3)
        #expect(leads.allSatisfy { !UTF8Whitespace.cannotStart($0) })
        // And the quick look settles the lead bytes of most scripts: Latin, Greek, Cyrillic, CJK.
        #expect(["é", "λ", "ж", "李", "😀"].allSatisfy { UTF8Whitespace.cannotStart(String($0).utf8.first!) })
    }

    @Test("Extensions need min to max digits")
    func extensionDigits() {
        var policy = Policy()
        policy.extension.minDigits = 3
        policy.extension.maxDigits = 5
        let result = codes(
            [addRow(2, "a", ext: "12"), addRow(3, "b", ext: "123"), addRow(4, "c", ext: "123456")], policy: policy)
        #expect(result[0].contains(.extensionInvalid))
        #expect(!result[1].contains(.extensionInvalid))
        #expect(result[2].contains(.extensionInvalid))
    }

    @Test("Spreadsheet damage: scientific notation, a lost +, lost leading zeros")
    func spreadsheetMangled() {
        let rows = [
            addRow(2, "a", ext: "0042"), addRow(3, "b", ext: "0043"), addRow(4, "c", ext: "44"),
            addRow(5, "d", ext: "4.41E+11"), addRow(6, "e", ext: "0045", extra: [.phoneNumber: "14155550123"]),
        ]
        let result = codes(rows)
        #expect(!result[0].contains(.spreadsheetMangled))
        #expect(result[2] == [.spreadsheetMangled])
        #expect(result[3] == [.spreadsheetMangled])
        #expect(result[4] == [.spreadsheetMangled])
        let message = outcomes(rows)[2].findings[0].message
        #expect(message.contains("4 digits with leading zeros"))
    }

    @Test("Usernames with invisible characters are rejected; emoji and accents are fine")
    func invisibleCharacters() {
        let result = codes([
            addRow(2, "ad\u{200B}min", ext: "4021", extra: [.email: "admin@example.com"]),
            addRow(3, "\u{202E}nimda", ext: "4022", extra: [.email: "nimda@example.com"]),
            addRow(4, "zoë😀", ext: "4023"),
        ])
        #expect(result[0] == [.usernameInvalid])
        #expect(result[1] == [.usernameInvalid])
        #expect(result[2] == [])
    }
}

@Suite("Key folding")
struct KeyFoldingTests {
    @Test(
        "Keys fold case, ASCII or not",
        arguments: [
            ("ann@example.com", "ann@example.com"), ("Ann@Example.COM", "ann@example.com"), ("ZOË", "zoë"),
            ("Łukasz", "łukasz"), ("", ""), ("4021", "4021"),
        ])
    func fold(_ text: String, _ folded: String) {
        #expect(NormalizedRow.fold(text) == folded)
    }

    @Test("The word-at-a-time look at a key agrees with a byte-by-byte one, at every length and place")
    func wordAtATime() {
        // SplitMix64 from a fixed seed: the same keys on every run.
        var state: UInt64 = 0x5357_4954_4348
        func next() -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = (state ^ (state >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int(truncatingIfNeeded: (mixed ^ (mixed >> 31)) >> 1)
        }
        let alphabet =
            Array("azAZ@.09_-`[{".utf8) + [0x40, 0x41, 0x5A, 0x5B, 0x60, 0x61, 0x7A, 0x7B, 0x7F, 0x80, 0xC3, 0xFF]
        for length in 0...40 {
            for _ in 0..<200 {
                let bytes = (0..<length).map { _ in alphabet[next() % alphabet.count] }
                let expected = (
                    isASCII: bytes.allSatisfy { $0 < 0x80 }, hasCapital: bytes.contains { (0x41...0x5A).contains($0) }
                )
                let seen = bytes.withUnsafeBufferPointer { ASCIIWords.look(at: $0) }
                #expect(seen.isASCII == expected.isASCII, "\(bytes)")
                if expected.isASCII { #expect(seen.hasCapital == expected.hasCapital, "\(bytes)") }
            }
        }
    }
}

@Suite("Invisible characters in usernames")
struct InvisibleCharacterMessageTests {
    @Test("The message names the character with four hex digits at least")
    func nulIsNamedInFull() {
        let outcome = outcomes([addRow(2, "ad\u{0}min", ext: "4021", extra: [.email: "admin@example.com"])])[0]
        #expect(outcome.findings.first?.message.contains("(U+0000)") == true)
    }
}
