import SwitchboardCSV
import Testing

@testable import SwitchboardCore

/// Cells chosen to hit every convention the first pass's keys depend on: blanks, whitespace,
/// `REMOVE`, formula guards, case, non-ASCII and canonically equivalent text, extension bounds.
let trickyCells: [String] = [
    "", " ", "\t", "REMOVE", " REMOVE", "REMOVE ", "remove", "add", "Add", "UPDATE", "upsert", "disable", "DELETE",
    "delete ", "bogus", "user", "User", "common-area", "COMMON-AREA", "'=cmd", "'bob", "Bob.Smith", "bob.smith",
    "BOB.SMITH", "zoë", "ZOË", "Straße", "\u{212A}elvin", "kelvin", "a\u{037E}b", "a;b", "cafe\u{301}", "café",
    "0123", "4021", "04021", "12", "1", "123456789012345678901", "4.41E+11", "4021 ", " 4021", "\u{00A0}4021",
    "x\u{00A0}", "münchen", "MÜNCHEN", "São Paulo", "ab\"c", "a,b", "SEP00AB12", "sep00ab12", "x@example.com",
    "X@Example.COM", "x@example.com ", "ädd", "\u{FEFF}bob", "bob\u{200B}", "a b", "paris", "Paris", "PARIS",
]

/// A random cell: mostly tricky ones, some plain ones that repeat so that keys collide.
func randomCell(_ generator: inout some RandomNumberGenerator) -> String {
    if Bool.random(using: &generator) { return trickyCells.randomElement(using: &generator)! }
    let stems = ["Ann", "bob", "Chloé", "dan", "4021", "4022", "SEP1", "sep1", "site", "x@y.org", "X@Y.ORG"]
    return stems.randomElement(using: &generator)! + (Bool.random(using: &generator) ? "" : "1")
}

/// A CSV field with every quote doubled, always quoted.
func quoted(_ cell: String) -> String {
    "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

/// A header of `profile`'s columns: all of them, or a random subset that keeps an identity column.
private func header(of profile: ImportProfile, subset: Bool, _ generator: inout some RandomNumberGenerator)
    -> [String]
{
    let all = profile.columns.map(\.header)
    guard subset else { return all }
    let kept = all.filter { _ in Int.random(in: 0..<3, using: &generator) > 0 }
    return profile.mapping(for: kept).missingIdentity ? all : kept
}

@Suite("The first pass read from bytes")
struct FirstPassTests {
    @Test("Plain rows read from bytes give the keys the String path gives, in every profile")
    func bytesMatchStrings() throws {
        var generator = SplitMix64.printingSeed()
        var fastRows = 0
        var slowRows = 0
        for (profile, maxExtensions) in ImportProfile.all.flatMap({ profile in [(profile, 1), (profile, 3)] }) {
            for subset in [false, true] {
                let columns = header(of: profile, subset: subset, &generator)
                let mapping = profile.mapping(for: columns)
                guard !mapping.findings.contains(where: { $0.severity == .error }) else { continue }
                var lines = [columns.map(quoted).joined(separator: ",")]
                for _ in 0..<400 {
                    // Some rows are short: the missing cells read as blank.
                    let count = Int.random(in: 0..<8, using: &generator) == 0 ? columns.count / 2 : columns.count
                    lines.append((0..<count).map { _ in quoted(randomCell(&generator)) }.joined(separator: ","))
                }
                let reader = CSVReader(bytes: Array((lines.joined(separator: "\r\n") + "\r\n").utf8))
                var policy = Policy()
                policy.profile.maxExtensions = maxExtensions
                let validator = Validator(policy: policy, directory: InMemoryDirectory(), profile: profile)
                let keyReader = RecordKeyReader(mapping: mapping, policy: policy)
                let index = FileIndex(policy: policy)
                let keyColumns = columns.indices.map { mapping.fields[$0].map(Validator.keyFields.contains) ?? false }
                var cells = [String](repeating: "", count: columns.count)
                var record = CSVRecord()
                _ = try reader.nextReadable(into: &record)
                while try reader.nextReadable(into: &record) {
                    let expected = record.withFieldBytes { fields in
                        validator.stringKeys(
                            of: fields, line: record.position.line, mapping: mapping, keyColumns: keyColumns,
                            cells: &cells, normalizer: RowNormalizer(policy: policy), fieldNames: FieldNames(),
                            index: index)
                    }
                    guard let keys = keyReader.keys(of: record) else {
                        slowRows += 1
                        continue
                    }
                    fastRows += 1
                    #expect(
                        keys == expected,
                        "\(profile.name) max \(maxExtensions) line \(record.position.line): \(record.strings)")
                }
            }
        }
        #expect(fastRows > 1000 && slowRows > 1000)
    }

    @Test(
        "A file validates the same against an empty directory (keys from bytes) and one that only holds an unrelated profile (keys from Strings)"
    )
    func wholeFileMatches() throws {
        var generator = SplitMix64.printingSeed()
        let columns = ImportProfile.canonical.columns.map(\.header)
        var lines = [columns.joined(separator: ",")]
        for _ in 0..<2000 {
            lines.append(columns.map { _ in quoted(randomCell(&generator)) }.joined(separator: ","))
        }
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        let unrelated = InMemoryDirectory([DirectoryProfile(username: "zz-unrelated-profile", email: nil)])
        #expect(InMemoryDirectory().holdsNoProfiles && !unrelated.holdsNoProfiles)
        func outcomes(_ directory: InMemoryDirectory) throws -> [RowOutcome] {
            var sink = CollectingSink()
            _ = try Validator(policy: Policy(), directory: directory).validate(
                open: { CSVReader(bytes: bytes) }, into: &sink)
            return sink.rows
        }
        let fast = try outcomes(InMemoryDirectory())
        let slow = try outcomes(unrelated)
        #expect(fast.count == slow.count)
        for (left, right) in zip(fast, slow) {
            #expect(left.findings == right.findings)
            #expect(left.cells == right.cells && left.row?.row == right.row?.row)
        }
        #expect(fast.contains { $0.findings.contains { $0.code == .extensionDuplicateInFile } })
    }

    @Test("Folding a key is lowercased(), scalar by scalar for Latin letters and for whole texts")
    func fold() {
        for value in UInt32(0)...0x24F {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(String.UnicodeScalarView([scalar]))
            let expected = Array(text.lowercased().unicodeScalars)
            if let lower = NormalizedRow.latinLowercase(scalar) {
                #expect(expected == [Unicode.Scalar(lower)!], "U+\(String(value, radix: 16))")
            }
            #expect(Array(NormalizedRow.fold(text).unicodeScalars) == expected)
        }
        for text in trickyCells + ["ŁÓDŹ", "Ÿves", "İstanbul", "ΣΊΣΥΦΟΣ", "ǅemal", "München Süd", "ſ", ""] {
            #expect(Array(NormalizedRow.fold(text).unicodeScalars) == Array(text.lowercased().unicodeScalars))
        }
    }

    @Test("A key's bytes hash as its folded String does: ASCII, Latin, and text folded another way")
    func keyHashFromBytes() {
        var generator = SplitMix64(seed: 20_261_206)
        let alphabet: [Unicode.Scalar] = [
            "a", "Z", "0", ".", " ", "\u{80}", "\u{C0}", "\u{C9}", "\u{DE}", "\u{DF}", "\u{E9}", "\u{FF}",
            "\u{100}", "\u{130}", "\u{131}", "\u{139}", "\u{149}", "\u{178}", "\u{17F}", "\u{180}", "\u{2FF}",
            "\u{301}", "\u{3A3}", "\u{212A}", "\u{65E5}",
        ]
        var texts = trickyCells + ["São Paulo", "KØBENHAVN", "Zürich", "İstanbul", "Ÿves", "Straße", "東京", "ŁÓDŹ"]
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...6, using: &generator)
            let scalars = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            texts.append(String(String.UnicodeScalarView(scalars)))
        }
        for text in texts {
            var bytes = text
            let fromBytes = bytes.withUTF8(RecordKeyReader.hash)
            #expect(fromBytes == KeyHash.of(NormalizedRow.fold(text)), "\(text.unicodeScalars.map(\.value))")
            let fromSite = bytes.withUTF8 { site in
                "4021".utf8.withContiguousStorageIfAvailable { RecordKeyReader.extensionHash(site: site, number: $0) }
            }
            let key = NormalizedRow.extensionKey(foldedSite: NormalizedRow.fold(text), number: "4021")
            #expect(fromSite == KeyHash.of(key), "\(text.unicodeScalars.map(\.value))")
        }
    }

    @Test("A key hashes alike from its bytes and from its String, and canonically equivalent keys alike")
    func keyHash() {
        for key in ["", "a", "bob.smith", "0123456789abcdef", "paris\u{0}4021", "exactly8", "seventeen-bytes!!"] {
            var text = key
            #expect(text.withUTF8(KeyHash.ascii) == KeyHash.of(key))
            #expect(KeyHash.of(key.uppercased()) == KeyHash.of(key))
        }
        #expect(KeyHash.of("a\u{037E}b") == KeyHash.of("a;b"))
        #expect(KeyHash.of("x\u{1FEF}") == KeyHash.of("x`"))
        #expect(KeyHash.of("cafe\u{301}") == KeyHash.of("café"))
        for key in ["café", "münchen", "são paulo\u{0}4021", "łódź", "ǅ", "\u{2FF}x", "ü\u{308}", "日本"] {
            #expect(KeyHash.of(key) == key.hashValue, "\(key)")
        }
        #expect(KeyHash.of("mu\u{308}nchen") == KeyHash.of("münchen"))
        #expect(KeyHash.of("bob") != KeyHash.of("bob1"))
        #expect(KeyHash.of("münchen") != KeyHash.of("munchen"))
    }
}

/// A sink that keeps every row.
struct CollectingSink: ValidationSink {
    var rows: [RowOutcome] = []
    mutating func begin(header: [String], mapping: HeaderMapping) throws {}
    mutating func fileFinding(_ finding: Finding) throws {}
    mutating func row(_ outcome: RowOutcome) throws { rows.append(outcome) }
}

/// Lists lines as the duplicate messages do (``ByteWriter/put(lines:others:excluding:)``), from a
/// key's whole run of lines, ascending: the test's way to check what those messages say.
func describeLines<Lines: RandomAccessCollection<Int>>(_ lines: Lines, excluding line: Int) -> String {
    let others = lines.count - (lines.sortedContains(line) ? 1 : 0)
    return String(capacity: ByteWriter.linesCapacity) { text in
        text.put(lines: lines.prefix(linesListedInMessages + 1), others: others, excluding: line)
    }
}

extension KeyRunSummary {
    /// Lists the lines other than `line` as a duplicate's message does.
    func described(excluding line: Int) -> String {
        String(capacity: ByteWriter.linesCapacity) { $0.put(OtherLinesOfKey(self, excluding: line)) }
    }
}

@Suite("Messages written without interpolation")
struct MessageTextTests {
    /// `describeLines` as it was written with `joined` and interpolation: the reference.
    private func referenceLines(_ lines: [Int], excluding line: Int) -> String {
        var shown: [String] = []
        for other in lines where other != line {
            shown.append(String(other))
            if shown.count == 10 { break }
        }
        let total = lines.count - (lines.contains(line) ? 1 : 0)
        var text =
            shown.count == 1
            ? "line \(shown[0])" : "lines " + shown.dropLast().joined(separator: ", ") + " and \(shown.last!)"
        if total > shown.count { text += " (and \(total - shown.count) more)" }
        return text
    }

    @Test("Lines are described as before, for every count of lines and place of the row's own")
    func lines() {
        for count in 2...25 {
            let lines = (1...count).map { $0 * 7 }
            for line in [7, 14, lines.last!, 1000] {
                #expect(describeLines(lines, excluding: line) == referenceLines(lines, excluding: line))
            }
        }
        for base in [0, 9, 99_999, 1_000_000, Int.max - 200] {
            let lines = (1...23).map { base + $0 * 7 }
            #expect(describeLines(lines, excluding: lines[4]) == referenceLines(lines, excluding: lines[4]))
        }
        let many = Array(1...1_234_567)
        #expect(describeLines(many, excluding: 1) == referenceLines(many, excluding: 1))
        #expect(describeLines([3, 7, 9], excluding: 3) == "lines 7 and 9")
        #expect(describeLines([3, 7], excluding: 3) == "line 7")
    }

    @Test("The voicemail digit-length message names the extension, its site and both counts")
    func voicemail() {
        var policy = Policy()
        policy.voicemail.digitLength = 4
        let rows = [
            addRow(2, "ann", ext: "41270", extra: [.voicemail: "yes", .site: "zurich"]),
            addRow(3, "bob", ext: "41271", extra: [.voicemail: "yes"]),
        ]
        let messages = outcomes(rows, policy: policy).map { $0.findings.filter { $0.code == .voicemailDigitLength } }
        #expect(
            messages[0].map(\.message) == [
                "extension 41270@zurich has 5 digits but mailboxes need 4; the row goes in without a mailbox"
            ])
        #expect(
            messages[1].map(\.message) == [
                "extension 41271 has 5 digits but mailboxes need 4; the row goes in without a mailbox"
            ])
        policy.voicemail.onMismatch = .reject
        let rejected = outcomes(rows, policy: policy)[1].findings.filter { $0.code == .voicemailDigitLength }
        #expect(rejected.map(\.message) == ["extension 41271 has 5 digits but mailboxes need 4"])
        #expect(rejected.map(\.severity) == [.error])
    }

    @Test("Numbers are written as their descriptions, at every digit count and sign")
    func numbers() {
        var samples = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, Int.max, Int.min, Int.max - 1, Int.min + 1]
        var power = 1
        for _ in 1...18 {
            power *= 10
            samples += [power - 1, power, power + 1, -power, -(power - 1)]
        }
        for number in samples {
            let written = String(capacity: 24) { $0.put(number) }
            #expect(written == String(number))
        }
        let text = String(capacity: 64) { text in
            text.put("extension ")
            text.put(extensionOf: "4021", site: "zürich")
            text.put(", ")
            text.put(extensionOf: "77", site: "")
            text.put(" on ")
            text.put(contentsOf: "Ünïcode")
        }
        #expect(text == "extension 4021@zürich, 77 on Ünïcode")
    }
}
