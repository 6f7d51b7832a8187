/// What one cell asks of a field: leave the stored value, clear it, or set it.
public enum FieldChange: Sendable, Equatable, Hashable {
    /// Keep the stored value (a blank cell where the profile says blank means "no change",
    /// or a column the file does not have).
    case keep
    /// Clear the stored value (Webex `REMOVE`, or a blank cell in CUCM BAT).
    case clear
    /// Set the field to this text.
    case set(String)

    /// The text set, or nil.
    public var value: String? {
        if case .set(let value) = self { return value }
        return nil
    }
}

/// What a row asks to do with its profile.
public enum RowAction: String, Sendable, CaseIterable {
    case add, update, upsert, disable, delete
    /// Makes a disabled profile active again (8x8: its extensions and features are not given
    /// back; the row may give new ones).
    case enable
    /// Associates one more extension with a stored profile, as a further phone service (Mitel's
    /// "associate phone service"); under `[extension] allow_shared`, one another profile holds too.
    case attach
    /// Disassociates one extension from a stored profile; the extension stays, with its
    /// mailbox, for another profile to take.
    case detach

    /// Whether the action changes only which extensions a profile holds (`attach`, `detach`).
    public var isServiceChange: Bool { self == .attach || self == .detach }
}

/// The kind of profile a row describes.
public enum ProfileType: String, Sendable, CaseIterable {
    /// A person.
    case user
    /// A lobby, conference room or break room; it may share its email with any profile.
    case commonArea = "common-area"
}

/// One row of any vendor's file, in the canonical shape.
///
/// Made by an ``ImportProfile`` from a CSV record: each canonical field holds a
/// ``FieldChange``. The original cells are kept, decoded but not trimmed, for the rejects file.
///
/// A row read from a file keeps its cells as one buffer of UTF-8 with where each field's value
/// lies in it (`RowCells`): a change's text becomes a String when it is read (``value(_:)``,
/// the subscript), and checks that need only bytes read them in place (`withValue(_:_:)`).
public struct UserRow: Sendable, Equatable {
    /// The line where the row starts in its file, counted from 1.
    public var line: Int
    /// The cells, and what they ask of each field.
    var source: RowCells
    /// Every field's change, when they are not what ``source`` says: once a change is set by hand
    /// (a FreePBX name split in two, a language tag rewritten), or for a row made from changes.
    private var written: [FieldChange]?
    /// The fields, as bits by raw value, whose set text has an end that may be whitespace, as the
    /// profile found them while it read the cells; nil when not known.
    private var unsettledEnds: UInt64?
    /// Whether the device name came from a MAC address column: normalized when it is a MAC
    /// address, and checked to be one.
    var deviceNameIsMAC = false
    /// The MAC address column whose cell is no MAC address beside a device-name column; -1 when none.
    ///
    /// BroadWorks gives both: the device name wins, and the MAC is checked all the same. A number,
    /// not a name: every row is copied several times, and a name would be counted at each copy.
    var invalidMACColumn: Int32 = -1

    /// Creates a row that changes nothing.
    public init(line: Int, cells: [String] = []) {
        self.line = line
        source = RowCells(cells)
    }

    /// Creates a row of one change per canonical field, in the order of ``CanonicalField/allCases``.
    init(line: Int, cells: [String], changes: [FieldChange]) {
        precondition(changes.count == CanonicalField.allCases.count, "a row needs one change per canonical field")
        self.line = line
        source = RowCells(cells)
        written = changes
    }

    /// Creates a row whose changes are what `source` says of each field; `unsettledEnds`, when
    /// given, says which of its set texts have an end that may be whitespace.
    init(line: Int, source: RowCells, unsettledEnds: UInt64? = nil) {
        self.line = line
        self.source = source
        self.unsettledEnds = unsettledEnds
    }

    /// The row's cells as the file holds them, in the file's column order.
    public var cells: [String] { source.strings }

    /// Whether a field's text may hold a control or bidirectional character: false for most
    /// rows, told from all their bytes at once; true for a row made from changes.
    var mayHoldControlCharacters: Bool { written != nil || source.mayHoldControlCharacters }

    /// One change per canonical field, indexed by each field's `rawValue`.
    public var changes: [FieldChange] {
        get { written ?? CanonicalField.allCases.map(source.change) }
        set {
            precondition(newValue.count == CanonicalField.allCases.count, "a row needs one change per canonical field")
            written = newValue
        }
    }

    /// The change asked of `field`.
    public subscript(field: CanonicalField) -> FieldChange {
        get { written?[field.rawValue] ?? source.change(field) }
        set {
            if written == nil { written = changes }
            written![field.rawValue] = newValue
        }
    }

    /// The text set for `field`, or nil when it is kept or cleared.
    @inline(__always)
    public func value(_ field: CanonicalField) -> String? {
        if let written { return written[field.rawValue].value }
        return source.withValue(field) { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether the row keeps the stored value of `field` (no column, or a blank that keeps).
    public func keeps(_ field: CanonicalField) -> Bool {
        if let written { return written[field.rawValue] == .keep }
        return source.slot(field) == .keep
    }

    /// Whether the row clears `field`.
    public func clears(_ field: CanonicalField) -> Bool {
        if let written { return written[field.rawValue] == .clear }
        return source.slot(field) == .clear
    }

    /// Whether the row sets `field` to a text.
    public func sets(_ field: CanonicalField) -> Bool {
        if let written { return written[field.rawValue].value != nil }
        if case .set = source.slot(field) { return true }
        return false
    }

    /// Calls `body` with the UTF-8 of the text set for `field`, valid only during the call; nil,
    /// without calling it, when the field is kept or cleared.
    @inline(__always)
    func withValue<R>(_ field: CanonicalField, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        if let written {
            guard var text = written[field.rawValue].value else { return nil }
            return try text.withUTF8(body)
        }
        return try source.withValue(field, body)
    }

    /// The fields, as bits by raw value (`1 << field.rawValue`), whose set text's UTF-8 passes `test`.
    func fieldsSet(where test: (UnsafeBufferPointer<UInt8>) -> Bool) -> UInt64 {
        guard written != nil else { return source.fieldsSet(where: test) }
        var fields: UInt64 = 0
        for field in CanonicalField.allCases where withValue(field, test) == true { fields |= 1 << field.rawValue }
        return fields
    }

    /// The fields, as bits by raw value, whose set text has an end that may be whitespace
    /// (``UTF8Whitespace/hasUnsettledEnd(_:)``): what trimming has to look at.
    var fieldsWithUnsettledEnds: UInt64 {
        if written == nil, let unsettledEnds { return unsettledEnds }
        return fieldsSet(where: UTF8Whitespace.hasUnsettledEnd)
    }

    /// Narrows the text set for `field` by `leading` bytes at its start and `trailing` at its end
    /// (whole scalars: what trimming takes off); a text narrowed to nothing keeps the field.
    mutating func narrow(_ field: CanonicalField, leading: Int, trailing: Int) {
        unsettledEnds = nil
        if let text = written?[field.rawValue].value {
            let utf8 = Array(text.utf8)
            let kept = utf8[leading..<(utf8.count - trailing)]
            written![field.rawValue] = kept.isEmpty ? .keep : .set(String(decoding: kept, as: UTF8.self))
            return
        }
        guard case .set(let range) = source.slot(field) else { return }
        let kept = (range.lowerBound + leading)..<(range.upperBound - trailing)
        source.setSlot(field, kept.isEmpty ? .keep : .set(kept))
    }

    public static func == (left: UserRow, right: UserRow) -> Bool {
        left.line == right.line && left.cells == right.cells && left.changes == right.changes
    }
}
