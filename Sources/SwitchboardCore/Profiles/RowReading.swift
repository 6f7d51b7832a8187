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
    /// - **A whole name** (FreePBX `name`) is the display name, exactly as given. When it is
    ///   exactly two words it is also the first and last name (`Ann Lee`); one word (`Reception`)
    ///   or three (`Jean Paul Sartre`, `SCHOOL - IT`) leave them as they are, since which words
    ///   are the first name cannot be known. A blank name clears all three where blank clears.
    /// - **A MAC address** (3CX `MAC_0`, Kazoo `mac_address`) is the device name when the file has
    ///   no device-name column, in the normal form of ``MACAddress``; text that is no MAC address
    ///   is kept for the field stage to reject.
    /// - **The vendor's action words** (``actionWords``: FreePBX Bulk Extensions `edit`, `del`)
    ///   become the canonical actions.
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
        if !mapping.defaultedColumns.isEmpty { source = Self.blankingDefaults(source, mapping: mapping) }
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
            let cell = FormulaGuard.removingGuard(source.string(at: index))
            let (first, last) = nameChanges(for: cell, blank: blank)
            if mapping.fieldColumns[CanonicalField.firstName.rawValue] == nil { row[.firstName] = first }
            if mapping.fieldColumns[CanonicalField.lastName.rawValue] == nil { row[.lastName] = last }
            if mapping.fieldColumns[CanonicalField.displayName.rawValue] == nil {
                row[.displayName] = change(for: cell, field: .displayName, blank: blank)
            }
        }

        if let index = mapping.macAddressColumn {
            let cell = source.string(at: index)
            let mac = change(for: cell, field: .deviceName, blank: blank)
            if mapping.fieldColumns[CanonicalField.deviceName.rawValue] == nil || row.keeps(.deviceName) {
                switch mac {
                case .set(let text):
                    row[.deviceName] = .set(MACAddress.normalized(text.trimmedWhitespace) ?? text)
                    row.deviceNameIsMAC = true
                case let other where mapping.fieldColumns[CanonicalField.deviceName.rawValue] == nil:
                    row[.deviceName] = other
                default: break
                }
            } else if case .set(let text) = mac, MACAddress.normalized(text.trimmedWhitespace) == nil {
                row.invalidMACColumn = Int32(index)
            }
        }

        if !actionWords.isEmpty, let word = row.value(.action),
            let action = actionWords[word.trimmedWhitespace.lowercased()]
        {
            row[.action] = .set(action.rawValue)
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
        let word = source.string(at: index).trimmedWhitespace.lowercased()
        switch actionWords[word]?.rawValue ?? word {
        case RowAction.add.rawValue, RowAction.disable.rawValue, RowAction.delete.rawValue: return .keep
        default: return .clear
        }
    }

    /// `source` with every cell that holds its column's export default (Wazo's `context` of
    /// `default`) made empty: an export wrote the default for an empty field, so it reads back as blank.
    static func blankingDefaults(_ source: RowCells, mapping: HeaderMapping) -> RowCells {
        var cells = source.strings
        var changed = false
        for (column, text) in mapping.defaultedColumns where column < cells.count && cells[column] == text {
            cells[column] = ""
            changed = true
        }
        return changed ? RowCells(cells) : source
    }

    /// The change a blank cell asks of `field`: keys and secrets are kept, other fields change as
    /// the row's `blank` says.
    static func blankCellChange(field: CanonicalField, blank: FieldChange) -> FieldChange {
        isKey(field) || field.isSecret ? .keep : blank
    }

    /// The change one cell asks of `field`.
    func change(for cell: String, field: CanonicalField, blank: FieldChange) -> FieldChange {
        if spaceClears, cell == " ", !Self.isKey(field), !field.isSecret { return .clear }
        if Self.isBlank(cell, secret: field.isSecret) { return Self.blankCellChange(field: field, blank: blank) }
        if let removeKeyword, !Self.isKey(field), field != .email,
            (field.isSecret ? Substring(cell) : cell.trimmedWhitespace) == removeKeyword
        {
            return .clear
        }
        return .set(cell)
    }

    /// The first- and last-name changes a whole-name cell asks for: set only when the name is
    /// exactly two words; a blank cell asks what a blank cell asks; another name keeps them.
    func nameChanges(for cell: String, blank: FieldChange) -> (first: FieldChange, last: FieldChange) {
        let name = cell.trimmedWhitespace
        if name.isEmpty { return (blank, blank) }
        if let removeKeyword, name == removeKeyword { return (.clear, .clear) }
        let words = name.split(whereSeparator: \.isWhitespace)
        guard words.count == 2 else { return (.keep, .keep) }
        return (.set(String(words[0])), .set(String(words[1])))
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
