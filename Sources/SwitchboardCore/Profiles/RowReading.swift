import SwitchboardCSV

/// Reading one record through a profile: the value conventions of docs/profiles.md.
extension ImportProfile {
    /// The canonical row a record's cells ask for, under this profile's conventions.
    ///
    /// Cells are kept as text and passed on as they are: the validator trims (and warns)
    /// and reads booleans. Only these conventions change them:
    ///
    /// - **Blank cells.** A cell that is empty, or only whitespace (secrets: only when
    ///   empty), is `.keep` where ``blankOnUpdate`` is `.keep`. Where it is `.clear`, it is
    ///   `.clear` when the row may update a profile: an `update` or `upsert` action, or a
    ///   file with no action column (every row is then an upsert); for `add`, `disable` and
    ///   `delete` it is `.keep`. A blank `action`, `type` or `username` is always `.keep`:
    ///   blank means the default, and a row's key is never cleared. A blank secret is always
    ///   `.keep` too: exports leave secrets blank, and re-importing one must not wipe them.
    /// - **`REMOVE`** (``removeKeyword``, Webex): the exact text, case-sensitive, after trimming
    ///   surrounding whitespace, is `.clear`, except in `action`, `type`, `username` and `email`,
    ///   which identify the row and keep the text for the validator to reject.
    /// - **A whole name** (FreePBX `name`) is trimmed and split at its last run of whitespace:
    ///   `Jean Paul Sartre` gives first name `Jean Paul`, last name `Sartre`. One word is a last
    ///   name (BAT and 8x8 require one); the first name is then blank, under the blank rule.
    /// - **A mailbox number** (Wazo `voicemail_number`) sets voicemail to the profile's word for
    ///   true when it is not blank, and for false when it is.
    ///
    /// A row shorter than the header reads the missing cells as blank. `mapping` must come from
    /// this profile's ``mapping(for:)``.
    public func row(from cells: [String], line: Int, mapping: HeaderMapping) -> UserRow {
        row(from: RowCells(cells), line: line, mapping: mapping)
    }

    /// The canonical row the cells `source` ask for, under this profile's conventions (as
    /// ``row(from:line:mapping:)`` reads them); a free-text cell that starts with a formula
    /// guard (`'` before `=`, `+`, `-`, `@`, a tab or a return) gives its text without it.
    func row(from source: consuming RowCells, line: Int, mapping: HeaderMapping) -> UserRow {
        precondition(mapping.profile.name == name, "a \(mapping.profile.name) mapping read through \(name)")
        let blank = blankChange(source: source, mapping: mapping)
        let removes = removeKeyword != nil
        // Which set texts have an end that may be whitespace, noted as they are read: trimming
        // then looks at those alone, without a second look at every cell.
        var unsettled: UInt64 = 0
        mapping.fieldReads.withUnsafeBufferPointer { reads in
            source.withView { view in
                for read in reads {
                    var cell = view.range(ofCell: read.column)
                    if read.isFreeText && FormulaGuard.isGuarded(view.bytes(cell)) { cell = cell.dropFirst() }
                    let bytes = view.bytes(cell)
                    // A cell whose first scalar cannot be whitespace is not blank: most are settled
                    // from their first byte, and only the others are made a String to be looked at.
                    if !removes, let ends = UTF8Whitespace.visibleEnds(bytes), read.isSecret || ends.head {
                        view.store(.set(cell), at: read.field.rawValue)
                        if !(ends.head && ends.tail) { unsettled |= 1 << read.field.rawValue }
                        continue
                    }
                    // An empty cell is blank: what it asks is known without its text.
                    if bytes.isEmpty {
                        if case .clear = Self.blankCellChange(field: read.field, blank: blank) {
                            view.store(.clear, at: read.field.rawValue)
                        }
                        continue
                    }
                    switch change(for: String(decoding: bytes, as: UTF8.self), field: read.field, blank: blank) {
                    case .keep: break
                    case .clear: view.store(.clear, at: read.field.rawValue)
                    case .set:
                        view.store(.set(cell), at: read.field.rawValue)
                        if UTF8Whitespace.hasUnsettledEnd(bytes) { unsettled |= 1 << read.field.rawValue }
                    }
                }
            }
        }
        var row = UserRow(line: line, source: source, unsettledEnds: unsettled)
        let source = row.source

        if let index = mapping.fullNameColumn {
            let (first, last) = nameChanges(for: FormulaGuard.removingGuard(source.string(at: index)), blank: blank)
            if mapping.fieldColumns[CanonicalField.firstName.rawValue] == nil { row[.firstName] = first }
            if mapping.fieldColumns[CanonicalField.lastName.rawValue] == nil { row[.lastName] = last }
        }

        if let index = mapping.mailboxNumberColumn, mapping.fieldColumns[CanonicalField.voicemail.rawValue] == nil {
            let wanted = !Self.isBlank(source.string(at: index), secret: false)
            row[.voicemail] = .set(wanted ? booleans.yes : booleans.no)
        }
        return row
    }

    /// The change a blank cell asks for in this row: `.keep`, or `.clear` when the profile
    /// clears on update and the row's action may update.
    func blankChange(source: RowCells, mapping: HeaderMapping) -> FieldChange {
        guard blankOnUpdate == .clear else { return .keep }
        guard let index = mapping.fieldColumns[CanonicalField.action.rawValue] else { return .clear }
        switch source.string(at: index).trimmedWhitespace.lowercased() {
        case RowAction.add.rawValue, RowAction.disable.rawValue, RowAction.delete.rawValue: return .keep
        default: return .clear
        }
    }

    /// The change a blank cell asks of `field`: keys and secrets are kept, other fields change as
    /// the row's `blank` says.
    static func blankCellChange(field: CanonicalField, blank: FieldChange) -> FieldChange {
        isKey(field) || field.isSecret ? .keep : blank
    }

    /// The change one cell asks of `field`.
    func change(for cell: String, field: CanonicalField, blank: FieldChange) -> FieldChange {
        if Self.isBlank(cell, secret: field.isSecret) { return Self.blankCellChange(field: field, blank: blank) }
        if let removeKeyword, !Self.isKey(field), field != .email,
            (field.isSecret ? Substring(cell) : cell.trimmedWhitespace) == removeKeyword
        {
            return .clear
        }
        return .set(cell)
    }

    /// The first- and last-name changes a whole-name cell asks for.
    func nameChanges(for cell: String, blank: FieldChange) -> (first: FieldChange, last: FieldChange) {
        let name = cell.trimmedWhitespace
        if name.isEmpty { return (blank, blank) }
        if let removeKeyword, name == removeKeyword { return (.clear, .clear) }
        guard let space = name.lastIndex(where: \.isWhitespace) else { return (blank, .set(String(name))) }
        let first = String(name[..<space]).trimmedWhitespace
        return (.set(String(first)), .set(String(name[name.index(after: space)...])))
    }

    /// Whether a blank cell in `field` must keep, whatever the profile: the action and type
    /// (blank means the default) and the username (a row's key).
    static func isKey(_ field: CanonicalField) -> Bool {
        field == .action || field == .type || field == .username
    }

    /// Cell `index`, or an empty cell when the row is shorter than the header.
    static func cell(_ cells: [String], _ index: Int) -> String {
        index < cells.count ? cells[index] : ""
    }

    /// Whether a cell is blank: empty, or (not for secrets, which are never trimmed) only whitespace.
    static func isBlank(_ cell: String, secret: Bool) -> Bool {
        if secret || cell.isEmpty { return cell.isEmpty }
        // A cell whose first scalar cannot be whitespace (a visible ASCII character, or a lead byte
        // no whitespace scalar has, as in most names) is not blank: no Unicode look-up.
        if let first = cell.firstByte, UTF8Whitespace.cannotStart(first) { return false }
        return cell.unicodeScalars.allSatisfy(\.properties.isWhitespace)
    }
}
