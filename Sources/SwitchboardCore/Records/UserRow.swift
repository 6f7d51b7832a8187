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
public struct UserRow: Sendable, Equatable {
    /// The line where the row starts in its file, counted from 1.
    public var line: Int
    /// The row's cells as the file holds them, in the file's column order.
    public var cells: [String]
    /// One change per canonical field, indexed by ``CanonicalField/rawValue``.
    public var changes: [FieldChange]

    /// Creates a row that changes nothing.
    public init(line: Int, cells: [String] = []) {
        self.line = line
        self.cells = cells
        changes = Array(repeating: .keep, count: CanonicalField.allCases.count)
    }

    /// Creates a row of one change per canonical field, in the order of ``CanonicalField/allCases``.
    init(line: Int, cells: [String], changes: [FieldChange]) {
        precondition(changes.count == CanonicalField.allCases.count, "a row needs one change per canonical field")
        self.line = line
        self.cells = cells
        self.changes = changes
    }

    /// What stands in a batch for a row moved out of it; never read as a row.
    ///
    /// No cells, and no changes at all (not one per field), so that it holds no memory of its own.
    static let movedOut = UserRow(line: 0, cells: [], unsetChanges: ())

    private init(line: Int, cells: [String], unsetChanges: Void) {
        self.line = line
        self.cells = cells
        changes = []
    }

    /// The change asked of `field`.
    public subscript(field: CanonicalField) -> FieldChange {
        get { changes[field.rawValue] }
        set { changes[field.rawValue] = newValue }
    }

    /// The text set for `field`, or nil when it is kept or cleared.
    public func value(_ field: CanonicalField) -> String? { changes[field.rawValue].value }
}
