import SwitchboardCSV
import Testing

@testable import SwitchboardCore

/// A row's cells held as one buffer, and the fields read from it in place.
@Suite("Rows held as one buffer of cells")
struct RowCellsTests {
    /// The first record of `text` after its header, read as a row of the canonical profile.
    static func readRow(_ text: String) throws -> UserRow {
        let reader = CSVReader(bytes: Array(text.utf8))
        var record = CSVRecord()
        guard case .record = try reader.next(into: &record) else { throw RowCellsFailure() }
        let mapping = ImportProfile.canonical.mapping(for: record.strings)
        guard case .record = try reader.next(into: &record) else { throw RowCellsFailure() }
        return ImportProfile.canonical.row(from: RowCells(record: record), line: 2, mapping: mapping)
    }

    struct RowCellsFailure: Error {}

    /// The canonical header, with its line break.
    static let header = CanonicalField.allCases.map(\.name).joined(separator: ",") + "\n"

    @Test("Cells read from a record or given as Strings are the same cells, beyond ASCII and empty ones too")
    func cellsRoundTrip() throws {
        let cells = ["", "jdoe", "Zoë", "", "名前", "a,b", ""]
        let reader = CSVReader(bytes: Array("\"\",jdoe,Zoë,,名前,\"a,b\",\n".utf8))
        var record = CSVRecord()
        guard case .record = try reader.next(into: &record) else { throw RowCellsFailure() }
        let fromRecord = RowCells(record: record)
        let fromStrings = RowCells(cells)
        #expect(fromRecord.strings == cells)
        #expect(fromStrings.strings == cells)
        #expect(fromRecord == fromStrings)
        #expect(fromRecord.count == 7)
        #expect(fromRecord.withCell(7) { $0.isEmpty } && fromRecord.withCell(-1) { $0.isEmpty })
        #expect(RowCells().strings.isEmpty && RowCells().slot(.email) == .keep)
    }

    @Test("A changed copy leaves the row it was copied from as it was")
    func copyOnWrite() {
        let original = RowCells(["a", "bc"])
        var changed = original
        changed.setSlot(.email, .set(1..<3))
        changed.setSlot(.site, .clear)
        #expect(original.slot(.email) == .keep && original.slot(.site) == .keep)
        #expect(changed.change(.email) == .set("bc") && changed.change(.site) == .clear)
        var empty = RowCells()
        empty.setSlot(.type, .clear)
        #expect(empty.change(.type) == .clear && empty.count == 0)
    }

    @Test("A row shared by two values is copied before either changes it, its bytes and slots whole")
    func copyOnWriteWhenShared() {
        let original = RowCells(["Zoë", "x", "", "名前"])
        var rows = [original, original]
        rows[1].setSlot(.username, .set(0..<4))
        rows[1].withView { view in view.store(.clear, at: CanonicalField.site.rawValue) }
        rows[0].setSlot(.email, .set(4..<5))
        #expect(original.slot(.username) == .keep && original.slot(.site) == .keep && original.slot(.email) == .keep)
        #expect(rows[0].change(.email) == .set("x") && rows[0].slot(.username) == .keep)
        #expect(rows[1].change(.username) == .set("Zoë") && rows[1].change(.site) == .clear)
        #expect(rows[1].slot(.email) == .keep)
        for row in rows { #expect(row.strings == original.strings) }
        // A value that holds its buffer alone changes it in place.
        var only = RowCells(["a"])
        only.setSlot(.type, .set(0..<1))
        only.setSlot(.type, .clear)
        #expect(only.change(.type) == .clear && only.strings == ["a"])
    }

    @Test("A row with no cells, from no Strings or none at all, reads as empty and takes slots")
    func zeroCells() {
        var fromNone = RowCells([])
        #expect(fromNone.count == 0 && fromNone.strings.isEmpty && fromNone.isBlank)
        #expect(!fromNone.mayHoldControlCharacters && fromNone.withCell(0) { $0.isEmpty })
        #expect(fromNone.fieldsSet { _ in true } == 0 && fromNone.withValue(.email) { _ in true } == nil)
        #expect(fromNone == RowCells())
        fromNone.setSlot(.site, .set(0..<0))
        #expect(fromNone.change(.site) == .set("") && fromNone != RowCells())
        #expect(RowCells().fieldsSet { _ in true } == 0 && !RowCells().mayHoldControlCharacters)
    }

    @Test("Cells whose bytes are not a whole number of words read and copy every byte")
    func oddByteCounts() {
        for length in 1...9 {
            let text = String("abcdéfghi".prefix(length))
            let cells = [text, String(text.reversed()), "z"]
            var row = RowCells(cells)
            let shared = row
            let bytes = cells.reduce(0) { $0 + $1.utf8.count }
            row.setSlot(.displayName, .set(bytes - 1..<bytes))
            #expect(row.strings == cells && shared.strings == cells, "\(length)")
            #expect(row.withValue(.displayName) { Array($0) } == [UInt8(ascii: "z")], "\(length)")
            #expect(!row.mayHoldControlCharacters)
        }
        let control = RowCells(["ab", "c\u{7}"])
        #expect(control.mayHoldControlCharacters && control.strings == ["ab", "c\u{7}"])
    }

    @Test("Rows are equal when their cells and what they ask of every field are")
    func equality() {
        let row = RowCells(["ab", "c"])
        #expect(row == RowCells(["ab", "c"]))
        #expect(row != RowCells(["a", "bc"]), "the same bytes split otherwise")
        #expect(row != RowCells(["ab"]) && row != RowCells(["ab", "d"]))
        var changed = row
        changed.setSlot(.email, .set(0..<2))
        #expect(changed != row)
        var same = RowCells(["ab", "c"])
        same.setSlot(.email, .set(0..<2))
        #expect(changed == same)
        same.setSlot(.email, .set(0..<1))
        #expect(changed != same, "a different range of the same cells")
        var cleared = row
        cleared.setSlot(.email, .clear)
        #expect(cleared != row && cleared != changed)
    }

    @Test("Fields read in place: kept, cleared or set, without and with changes set by hand")
    func fieldsInPlace() throws {
        var row = try Self.readRow(Self.header + "add,,jdoe, Ann ,,ann@example.com,4021,,,,,,,,,,\n")
        #expect(row.value(.username) == "jdoe" && row.sets(.username))
        #expect(row.keeps(.type) && !row.sets(.type) && row.value(.type) == nil)
        #expect(row.withValue(.email) { Array($0) } == Array("ann@example.com".utf8))
        #expect(row.withValue(.site) { _ in true } == nil)
        #expect(row[.firstName] == .set(" Ann "))
        row.narrow(.firstName, leading: 1, trailing: 1)
        #expect(row.value(.firstName) == "Ann")
        #expect(row.cells[3] == " Ann ", "the cells stay as the file holds them")
        row.narrow(.firstName, leading: 3, trailing: 0)
        #expect(row.keeps(.firstName), "a value narrowed to nothing keeps the field")

        // A change set by hand: every field is then held as a change.
        row[.department] = .set(" Sales ")
        row[.site] = .clear
        #expect(row.clears(.site) && row.value(.department) == " Sales " && row.value(.username) == "jdoe")
        row.narrow(.department, leading: 1, trailing: 1)
        #expect(row.value(.department) == "Sales")
        #expect(row.fieldsSet { $0.first == UInt8(ascii: "S") } == 1 << CanonicalField.department.rawValue)
        #expect(row.changes.count == CanonicalField.allCases.count)
    }

    @Test("A formula guard comes off free-text fields only; the cells keep it")
    func formulaGuards() throws {
        let row = try Self.readRow(
            Self.header + "add,,'@jdoe,'=First,,,4021,,,'+Sales,,,,'-123456,'=Pass1,,\n")
        #expect(row.value(.username) == "@jdoe" && row.value(.firstName) == "=First")
        #expect(row.value(.department) == "+Sales")
        #expect(row.value(.voicemailPasscode) == "'-123456" && row.value(.portalPassword) == "'=Pass1")
        #expect(row.cells[2] == "'@jdoe")
        #expect(FormulaGuard.isGuarded(UnsafeBufferPointer(start: nil, count: 0)) == false)
    }

    @Test("Action, type and voicemail words read from bytes as their folded Strings read")
    func wordsFromBytes() {
        #expect(RowNormalizer.actionWords.map(\.description) == RowAction.allCases.map(\.rawValue))
        #expect(RowNormalizer.typeWords.map(\.description) == ProfileType.allCases.map(\.rawValue))
        let texts = [
            "add", "ADD", "Update", "upsert ", "dis able", "DELETE", "user", "Common-Area", "yes", "YES", "y", "N", "1",
            "0", "on", "Off", "true", "FALSE", "ｙｅｓ", "Ｙ", "\u{212A}", "ye", "", "é", "no\u{0}",
        ]
        for text in texts {
            var bytes = text
            let action = bytes.withUTF8 { FieldRules.word($0, among: RowNormalizer.actionWords) }
            #expect(action.map { RowAction.allCases[$0] } == RowAction(rawValue: NormalizedRow.fold(text)), "\(text)")
            let type = bytes.withUTF8 { FieldRules.word($0, among: RowNormalizer.typeWords) }
            #expect(type.map { ProfileType.allCases[$0] } == ProfileType(rawValue: NormalizedRow.fold(text)))
            let folded = NormalizedRow.fold(text)
            let expected: Bool? =
                ["yes", "true", "1", "y", "on"].contains(folded)
                ? true : ["no", "false", "0", "n", "off"].contains(folded) ? false : nil
            #expect(FieldRules.readBoolean(text) == expected, "\(text)")
        }
    }

    @Test("Empty and blank cells ask the same: CUCM BAT clears a blank field but keeps blank keys and secrets")
    func blankCells() throws {
        let text = "FIRST NAME,LAST NAME,USER ID,PASSWORD,DEPARTMENT,MAIL ID,PIN\n,Lee,,,  ,ann@example.com,\n"
        let reader = CSVReader(bytes: Array(text.utf8))
        var record = CSVRecord()
        guard case .record = try reader.next(into: &record) else { throw RowCellsFailure() }
        let mapping = ImportProfile.cucmBAT.mapping(for: record.strings)
        guard case .record = try reader.next(into: &record) else { throw RowCellsFailure() }
        let row = ImportProfile.cucmBAT.row(from: RowCells(record: record), line: 2, mapping: mapping)
        #expect(row[.firstName] == .clear && row[.department] == .clear)
        #expect(row[.username] == .keep && row[.portalPassword] == .keep && row[.voicemailPasscode] == .keep)
        #expect(row[.lastName] == .set("Lee") && row[.email] == .set("ann@example.com"))
        let canonical = try Self.readRow(Self.header + "update,,jdoe,,,,,,,,,,,,,,\n")
        #expect(
            canonical[.firstName] == .keep && canonical[.department] == .keep && canonical[.action] == .set("update"))
    }

    @Test("A normalized row's values are its cells' trimmed text, made when asked; a value set replaces it")
    func valuesFromCells() throws {
        let row = try Self.readRow(Self.header + "add,, jdoe ,Ann,Lee,,4021 ,Paris,,,,,,,,em-ann,SEP1\n")
        var scratch = FindingList(line: 2, fieldNames: FieldNames())
        var normalized = RowNormalizer(policy: Policy()).normalize(row, into: &scratch)
        // The username defaults to the email, which this row keeps: none.
        #expect(normalized.username == "jdoe" && normalized.has(.username))
        #expect(normalized.email == nil && !normalized.has(.email))
        #expect(normalized.extensionNumber == "4021" && normalized.withBytes(of: .extensionNumber, { $0.count }) == 4)
        #expect(normalized.site == "Paris" && normalized.deviceName == "SEP1" && normalized.emProfile == "em-ann")
        #expect(normalized.usernameKey == "jdoe" && normalized.extensionKey == "paris\u{0}4021")
        normalized.username = "Ann.Lee"
        normalized.extensionNumber = nil
        #expect(normalized.username == "Ann.Lee" && normalized.usernameKey == "ann.lee")
        #expect(!normalized.has(.extensionNumber) && normalized.extensionKey == nil)
        #expect(normalized.withBytes(of: .username, { Array($0) }) == Array("Ann.Lee".utf8))
        // An invalid extension is no value; the row's own cells stay as the file holds them.
        let invalid = try Self.readRow(Self.header + "add,,jdoe,,,j.doe@example.com,40x1,,,,,,,,,,\n")
        let checked = RowNormalizer(policy: Policy()).normalize(invalid, into: &scratch)
        #expect(
            !checked.has(.extensionNumber) && checked.extensionNumber == nil && checked.row.value(.extension) == "40x1")
        #expect(checked.username == "jdoe" && checked.email == "j.doe@example.com")
    }

    @Test("The profile notes which values may start or end with whitespace as it reads them, as their bytes say")
    func unsettledEnds() throws {
        let row = try Self.readRow(Self.header + "add,, jdoe,Ann ,Zoë,x@example.com,4021,\u{00A0}Paris,,,,,,,,,\n")
        let fromBytes = row.fieldsSet(where: UTF8Whitespace.hasUnsettledEnd)
        #expect(row.fieldsWithUnsettledEnds == fromBytes)
        let expected: [CanonicalField] = [.username, .firstName, .site]
        #expect(fromBytes == expected.reduce(0) { $0 | 1 << UInt64($1.rawValue) })
        // A value set by hand is looked at as it is now.
        var changed = row
        changed[.lastName] = .set("Lee\t")
        #expect(changed.fieldsWithUnsettledEnds == fromBytes | 1 << UInt64(CanonicalField.lastName.rawValue))
    }
}
