/// The line break a ``CSVWriter`` ends each record with.
public enum CSVLineEnding: String, Sendable, CaseIterable {
    /// `\n`, as Unix tools expect.
    case lf
    /// `\r\n`, as RFC 4180 and Excel expect.
    case crlf

    var bytes: [UInt8] { self == .lf ? [0x0A] : [0x0D, 0x0A] }
}

/// Which columns hold free text that a spreadsheet must not run as a formula.
///
/// A free-text cell that starts with `=`, `+`, `-`, `@`, TAB or CR gets a leading `'`,
/// as OWASP advises, so Excel and LibreOffice show it as text. Columns not named here,
/// such as E.164 numbers (`+14155550123`), stay exact.
public struct FormulaGuard: Sendable, Equatable {
    /// The zero-based indexes of the free-text columns.
    public var freeTextColumns: Set<Int>

    /// Creates a guard over the given free-text columns.
    public init(freeTextColumns: Set<Int>) {
        self.freeTextColumns = freeTextColumns
    }

    /// The bytes a spreadsheet reads as the start of a formula.
    static let triggers: Set<UInt8> = [
        UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D,
    ]

    /// The cell without the leading `'` this guard adds, when it has one before a trigger.
    ///
    /// Reading back a file this guard wrote (a fixed rejects file) gives the original text.
    public static func removingGuard(_ cell: String) -> String {
        let utf8 = cell.utf8
        guard utf8.count >= 2, utf8.first == UInt8(ascii: "'"),
            triggers.contains(utf8[utf8.index(after: utf8.startIndex)])
        else { return cell }
        return String(cell.dropFirst())
    }

    /// Whether the cell `utf8` starts with the leading `'` this guard adds (before a trigger).
    @inlinable public static func isGuarded(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "'") else { return false }
        switch utf8[1] {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: return true
        default: return false
        }
    }

    /// Whether a cell of column `column` holding `utf8` needs the leading `'`.
    func needsGuard(_ utf8: UnsafeBufferPointer<UInt8>, column: Int) -> Bool {
        guard let first = utf8.first else { return false }
        // A switch, not `triggers.contains`: this runs for every cell written, and a Set hashes.
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D:
            return freeTextColumns.contains(column)
        default:
            return false
        }
    }
}

/// Something a ``CSVWriter`` hands its bytes to.
public protocol ByteSink {
    /// Takes `bytes`, which are valid only during the call.
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) throws
}

extension Array: ByteSink where Element == UInt8 {
    public mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        append(contentsOf: bytes)
    }
}

/// Writes records as CSV, quoting a field only when it must be.
///
/// A field is quoted when it holds the delimiter, a quote, CR or LF (or a backslash in
/// the backslash-escape dialect), when it starts with a byte-order mark, and when it is
/// the only field of its record and either empty (so the line is not read back as blank)
/// or holding one of ``CSVDialect/sniffedDelimiters`` (so sniffing reads one column).
/// Output is buffered; call ``flush()`` at the end.
///
/// ```swift
/// var writer = CSVWriter(sink: [UInt8](), lineEnding: .crlf)
/// try writer.write(["Smith, Jr.", "+14155550123"])
/// try writer.flush()
/// ```
public struct CSVWriter<Sink: ByteSink> {
    /// Where the bytes go; read it after ``flush()``.
    public private(set) var sink: Sink
    /// The byte between fields.
    public let delimiter: UInt8
    /// The line break after each record.
    public let lineEnding: CSVLineEnding
    /// Whether the reader of this output treats a backslash in an unquoted field as an escape.
    public let backslashEscapes: Bool
    /// The columns protected against formula injection, if any.
    public var formulaGuard: FormulaGuard?

    private var pending: [UInt8] = []
    private let lineBreak: [UInt8]
    /// For each byte value, whether a field holding it must be quoted.
    private let quoteTriggers: [Bool]
    private static var flushThreshold: Int { 64 * 1024 }

    /// Creates a writer that hands its bytes to `sink`.
    public init(
        sink: Sink, delimiter: UInt8 = UInt8(ascii: ","), lineEnding: CSVLineEnding = .lf,
        backslashEscapes: Bool = false, formulaGuard: FormulaGuard? = nil
    ) {
        self.sink = sink
        self.delimiter = delimiter
        self.lineEnding = lineEnding
        self.backslashEscapes = backslashEscapes
        self.formulaGuard = formulaGuard
        lineBreak = lineEnding.bytes
        var triggers = [Bool](repeating: false, count: 256)
        for byte in [delimiter, UInt8(ascii: "\""), 0x0A, 0x0D] { triggers[Int(byte)] = true }
        if backslashEscapes { triggers[Int(UInt8(ascii: "\\"))] = true }
        quoteTriggers = triggers
        pending.reserveCapacity(Self.flushThreshold + 4096)
    }

    /// Writes one record.
    // Specialized here for files: a caller in another module would otherwise run the generic
    // code, which looks up the writer's type metadata on every record.
    @_specialize(exported:true,where Sink == FileByteSink)
    public mutating func write(_ fields: [String]) throws {
        for column in fields.indices {
            var text = fields[column]
            let alone = fields.count == 1
            text.withUTF8 { appendField($0, column: column, alone: alone) }
        }
        pending.append(contentsOf: lineBreak)
        if pending.count >= Self.flushThreshold { try flush() }
    }

    /// Writes one record from any sequence of text.
    public mutating func write<Fields: Sequence>(_ fields: Fields) throws where Fields.Element: StringProtocol {
        let strings: [String] = fields.map { String($0) }
        try write(strings)
    }

    /// Writes one record read by a ``CSVReader``, field bytes as they are.
    public mutating func write(_ record: CSVRecord) throws {
        try write(record.strings)
    }

    /// Writes one field of the current record from its UTF-8 bytes, for callers that hold bytes, not strings.
    ///
    /// `column` counts from 0 and `fieldCount` is the record's number of fields; after the last
    /// field, call ``endRecord()``. The bytes are quoted and guarded as ``write(_:)-([String])`` would.
    @_specialize(exported:true,where Sink == FileByteSink)
    public mutating func writeField(_ utf8: UnsafeBufferPointer<UInt8>, column: Int, of fieldCount: Int) {
        appendField(utf8, column: column, alone: fieldCount == 1)
    }

    /// Ends the record begun by ``writeField(_:column:of:)``.
    @_specialize(exported:true,where Sink == FileByteSink)
    public mutating func endRecord() throws {
        pending.append(contentsOf: lineBreak)
        if pending.count >= Self.flushThreshold { try flush() }
    }

    /// Hands everything buffered to the sink.
    public mutating func flush() throws {
        guard !pending.isEmpty else { return }
        try pending.withUnsafeBufferPointer { try sink.write($0) }
        pending.removeAll(keepingCapacity: true)
    }

    /// Appends one field's bytes, quoted and guarded as needed, after a delimiter unless first.
    private mutating func appendField(_ utf8: UnsafeBufferPointer<UInt8>, column: Int, alone: Bool) {
        if column > 0 { pending.append(delimiter) }
        let guarded = formulaGuard?.needsGuard(utf8, column: column) ?? false
        let quoted =
            needsQuotes(utf8)
            || (alone && (utf8.isEmpty || utf8.contains(where: CSVDialect.sniffedDelimiters.contains)))
        if quoted {
            pending.append(UInt8(ascii: "\""))
            if guarded { pending.append(UInt8(ascii: "'")) }
            var start = 0
            for index in utf8.indices where utf8[index] == UInt8(ascii: "\"") {
                pending.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...index]))
                pending.append(UInt8(ascii: "\""))
                start = index + 1
            }
            pending.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
            pending.append(UInt8(ascii: "\""))
        } else {
            if guarded { pending.append(UInt8(ascii: "'")) }
            pending.append(contentsOf: utf8)
        }
    }

    private func needsQuotes(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        if utf8.count >= 3 && utf8[0] == 0xEF && utf8[1] == 0xBB && utf8[2] == 0xBF { return true }
        // One table load per byte: this runs over every byte written.
        return quoteTriggers.withUnsafeBufferPointer { table in
            utf8.contains { table[Int($0)] }
        }
    }
}
