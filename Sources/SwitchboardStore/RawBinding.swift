import GRDB
import GRDBSQLite

/// The one place Switchboard calls SQLite's C API: binding and stepping GRDB's own prepared
/// statements on the bulk paths, which runs about three times faster than GRDB's `StatementArguments`.
///
/// Every value is bound, never spliced into SQL text. Each call site passes its values in
/// the order of the statement's `?` placeholders.
struct RawStatement {
    /// A value to bind: text, an integer, or NULL.
    enum Value {
        case text(String)
        case integer(Int64)
        case null

        /// Text, or NULL for nil.
        static func optional(_ text: String?) -> Value { text.map(Value.text) ?? .null }
        /// An integer, or NULL for nil.
        static func optional(_ number: Int?) -> Value { number.map { .integer(Int64($0)) } ?? .null }
    }

    private let statement: Statement

    /// Wraps GRDB's cached statement for `sql`.
    init(_ db: Database, _ sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
    }

    /// SQLite's `SQLITE_TRANSIENT`: it copies the text at once (for a cursor, whose steps outlive the binding call).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    /// SQLite's `SQLITE_STATIC`: it reads the text where it lies, which must outlast every step.
    private static let `static`: sqlite3_destructor_type? = nil

    /// Binds `values` to the placeholders in order, runs the statement to its end and resets it.
    func execute(_ values: [Value]) throws {
        _ = try run(values) { _ in () }
    }

    /// Runs a query and returns its first row's first column as an integer, or nil when there is no row.
    func firstInteger(_ values: [Value]) throws -> Int64? {
        try run(values) { handle in sqlite3_column_int64(handle, 0) }
    }

    /// Runs a query and returns its first row's columns as text (nil for NULL), or nil when there is no row.
    func firstRow(_ values: [Value]) throws -> [String?]? {
        try run(values) { handle in
            (0..<sqlite3_column_count(handle)).map { column in
                guard let text = sqlite3_column_text(handle, column) else { return nil }
                return String(cString: text)
            }
        }
    }

    /// Binds `values`, then calls `body` with each row of the result in order.
    ///
    /// A row's bytes are valid only during its call: the export streams them straight into its writer.
    func forEachRow(_ values: [Value], _ body: (RawRow) throws -> Void) throws {
        let rows = try cursor(values)
        defer { rows.close() }
        while let row = try rows.next() { try body(row) }
    }

    /// Binds `values` and returns a cursor over the result's rows, for loops that must not be closures.
    ///
    /// Stepping in the caller's own loop keeps the values it writes to local, so Swift checks their
    /// exclusive access at compile time, not once per row at run time. Call ``RawCursor/close()`` when done.
    func cursor(_ values: [Value]) throws -> RawCursor {
        RawCursor(handle: try bind(values), statement: self)
    }

    /// Binds `values` in place, steps the statement once, reads the row with `read` when there is
    /// one, and resets the statement and clears its bindings.
    ///
    /// The text is bound where it lies (`SQLITE_STATIC`), not copied by SQLite: every binding is made
    /// inside the `withUTF8` of its String, the step runs innermost, and the bindings are cleared
    /// before the Strings' bytes go, so the statement never holds a pointer past its String.
    private func run<T>(_ values: [Value], read: (OpaquePointer) -> T) throws -> T? {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        return try bindInPlace(values, from: 0, handle) {
            let code = sqlite3_step(handle)
            switch code {
            case SQLITE_ROW: return read(handle)
            case SQLITE_DONE: return nil
            default: throw error(code)
            }
        }
    }

    /// Binds `values[index...]` to their placeholders, each text in place for the length of the
    /// call, and calls `body` once all are bound.
    private func bindInPlace<T>(
        _ values: [Value], from index: Int, _ handle: OpaquePointer, _ body: () throws -> T
    ) throws -> T {
        guard index < values.count else { return try body() }
        let position = Int32(index + 1)
        let code: Int32
        switch values[index] {
        case .text(var text):
            return try text.withUTF8 { bytes in
                let code = sqlite3_bind_text(handle, position, bytes.baseAddress, Int32(bytes.count), Self.static)
                if code != SQLITE_OK { throw error(code) }
                return try bindInPlace(values, from: index + 1, handle, body)
            }
        case .integer(let number):
            code = sqlite3_bind_int64(handle, position, number)
        case .null:
            code = sqlite3_bind_null(handle, position)
        }
        if code != SQLITE_OK { throw error(code) }
        return try bindInPlace(values, from: index + 1, handle, body)
    }

    /// Resets the statement and binds `values` to its placeholders in order.
    private func bind(_ values: [Value]) throws -> OpaquePointer {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .text(var text):
                code = text.withUTF8 { bytes in
                    sqlite3_bind_text(handle, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
                }
            case .integer(let number):
                code = sqlite3_bind_int64(handle, index, number)
            case .null:
                code = sqlite3_bind_null(handle, index)
            }
            if code != SQLITE_OK { throw error(code) }
        }
        return handle
    }

    fileprivate func error(_ code: Int32) -> DatabaseError {
        let connection = sqlite3_db_handle(statement.sqliteStatement)
        return DatabaseError(
            resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)),
            sql: statement.sql)
    }
}

/// One row of a query stepped by ``RawStatement/forEachRow(_:_:)``, read in place.
struct RawRow {
    fileprivate let handle: OpaquePointer

    /// The column's text as UTF-8 bytes, empty for NULL; valid until the next row.
    func text(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let bytes = sqlite3_column_text(handle, column) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, column)))
    }

    /// How many columns the row has.
    var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// The column as an integer (0 for NULL).
    func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// Whether the column is NULL.
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
}

/// The rows of a bound statement, stepped one by one by ``next()``.
struct RawCursor {
    fileprivate let handle: OpaquePointer
    fileprivate let statement: RawStatement

    /// Steps to the next row, or nil at the end; the row's bytes are valid until the next step.
    func next() throws -> RawRow? {
        let code = sqlite3_step(handle)
        if code == SQLITE_DONE { return nil }
        guard code == SQLITE_ROW else { throw statement.error(code) }
        return RawRow(handle: handle)
    }

    /// Resets the statement so it can be run again.
    func close() { sqlite3_reset(handle) }
}
