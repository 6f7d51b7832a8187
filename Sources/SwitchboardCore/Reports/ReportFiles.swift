import SwitchboardCSV

#if canImport(Glibc)
    import Glibc
#endif

/// The columns a rejects file puts before the file's own, in this order.
public enum RejectColumns {
    /// `reject_line`, `reject_codes`, `reject_reasons`.
    public static let names = ["reject_line", "reject_codes", "reject_reasons"]

    /// Whether a header cell is one of them (so a fixed rejects file can be fed back in).
    public static func contains(_ header: String) -> Bool {
        names.contains(HeaderName.fold(header).replacing(" ", with: "_"))
    }
}

/// Writes the rejected rows, with every reason, as a CSV file that can be fixed and fed back in.
///
/// The header is `reject_line,reject_codes,reject_reasons` then the file's own header
/// (without its own reject columns, when the input was itself a rejects file). Each
/// rejected row gives its starting line, its codes joined by `;`, its messages joined
/// by `; `, then its cells as decoded, untrimmed, with secret columns left empty and
/// free-text cells guarded against formula injection. A row whose field count differs
/// from the header's gets every cell empty, as a record that could not be read does. The
/// file is created only when the first rejected row arrives.
public struct RejectsWriter {
    /// Where the file goes.
    public let path: String
    /// Whether the file was written (some row was rejected).
    public private(set) var isWritten = false
    private var writer: CSVWriter<FileByteSink>?
    private var file: OutputFile?
    /// The file's columns that the rejects file keeps, in order, each with whether it is secret (left empty).
    private var keptColumns: [(column: Int, isSecret: Bool)] = []
    private var header: [String] = []
    private var freeText: Set<Int> = []
    /// Where a row's line, codes and reasons are written, kept between rows for its storage.
    private var scratch: [UInt8] = []

    /// Creates a writer for `path`; nothing is created until a row is rejected.
    public init(path: String) {
        self.path = path
    }

    /// Learns the file's header and which of its columns are secret or free text.
    public mutating func begin(header: [String], mapping: HeaderMapping) {
        begin(header: header, secretColumns: mapping.secretColumns, freeTextColumns: mapping.freeTextColumns)
    }

    /// Learns the file's header, its secret columns (left empty) and its free-text columns
    /// (guarded), for a file read without a ``HeaderMapping``: an extension-mobility profiles file.
    public mutating func begin(header: [String], secretColumns: Set<Int>, freeTextColumns: Set<Int>) {
        keptColumns = header.indices.filter { !RejectColumns.contains(header[$0]) }.map {
            ($0, secretColumns.contains($0))
        }
        self.header = keptColumns.map { header[$0.column] }
        freeText = [2]
        for (position, kept) in keptColumns.enumerated() where freeTextColumns.contains(kept.column) {
            freeText.insert(position + 3)
        }
    }

    /// Writes `outcome` when it is rejected.
    public mutating func write(_ outcome: RowOutcome) throws {
        guard !outcome.isAccepted else { return }
        if writer == nil {
            let file = try OutputFile(path: path, mode: 0o600)
            self.file = file
            writer = CSVWriter(sink: file.sink, formulaGuard: FormulaGuard(freeTextColumns: freeText))
            try writer!.write(RejectColumns.names + header)
            isWritten = true
        }
        // Each field's bytes go straight to the writer: the line's digits, the codes and the
        // reasons written into one reused buffer (a duplicate's message straight into the
        // reasons), then the cells. Findings are read in place: a row of a duplicate-heavy file
        // has three or four.
        let findings = outcome.findings
        let fieldCount = 3 + keptColumns.count
        var reasonsCapacity = 0
        for position in findings.indices where findings[position].severity == .error {
            reasonsCapacity +=
                findings[position].code.rawValue.utf8.count + findings[position].field.utf8.count
                + findings[position].messageCapacity + 4
        }
        scratch.makeRoom(for: reasonsCapacity + 40)
        scratch.withUnsafeMutableBufferPointer { buffer in
            writer!.writeField(column: 0, of: fieldCount, through: buffer) { $0.put(outcome.line) }
            writer!.writeField(column: 1, of: fieldCount, through: buffer) { bytes in
                for position in findings.indices where findings[position].severity == .error {
                    let code = findings[position].code
                    guard !findings[..<position].contains(where: { $0.severity == .error && $0.code == code }) else {
                        continue
                    }
                    if bytes.end > 0 { bytes.put(";") }
                    bytes.put(contentsOf: code.rawValue)
                }
            }
            writer!.writeField(column: 2, of: fieldCount, through: buffer) { bytes in
                var first = true
                for position in findings.indices where findings[position].severity == .error {
                    if !first { bytes.put("; ") }
                    first = false
                    if !findings[position].field.isEmpty {
                        bytes.put(contentsOf: findings[position].field)
                        bytes.put(": ")
                    }
                    bytes.put(messageOf: findings[position])
                }
            }
        }
        // A row with a field too many or too few has its cells under the wrong columns: a secret
        // may sit under any of them, so every cell is written empty, as for a record not read.
        let shifted = findings.contains { $0.code == .fieldCount }
        for (position, (column, isSecret)) in keptColumns.enumerated() {
            // A secret's cell is written empty; so is a cell past the row's last.
            outcome.withCell(isSecret || shifted ? -1 : column) {
                writer!.writeField($0, column: position + 3, of: fieldCount)
            }
        }
        try writer!.endRecord()
    }

    /// Writes out what is buffered and moves the file into place (mode 0600, replacing what was there).
    public mutating func finish() throws {
        try writer?.flush()
        try file?.commit()
        file = nil
    }

    /// Removes the rejects file an earlier run left at ``path``, when no row was rejected now.
    ///
    /// So it is not taken for this run's. Only a file that starts with the reject columns is
    /// removed; returns what was done, for the summary.
    public func removeStale() -> StaleRejects {
        guard !isWritten, let source = try? FileByteSource(path: path), source.byteCount != nil else { return .none }
        var head = [UInt8](repeating: 0, count: 64)
        let count = head.withUnsafeMutableBufferPointer { (try? source.read(into: $0.baseAddress!, capacity: 64)) ?? 0 }
        let expected = Array(RejectColumns.names.joined(separator: ",").utf8)
        guard head[..<count].starts(with: expected) else { return .kept }
        return unlink(path) == 0 ? .removed : .kept
    }
}

/// What ``RejectsWriter/removeStale()`` found at the rejects file's path.
public enum StaleRejects: Sendable {
    /// Nothing: no file, or this run wrote it.
    case none
    /// The rejects file of an earlier run, now removed.
    case removed
    /// A file that is not a rejects file, or that could not be removed: left as it is.
    case kept
}

/// Writes every finding, errors and warnings alike, as `line,severity,code,field,message`.
public struct FindingsWriter {
    /// Where the file goes.
    public let path: String
    private var writer: CSVWriter<FileByteSink>
    private let file: OutputFile

    /// Creates the file, under a temporary name in `path`'s folder until ``finish()``, and writes its header.
    public init(path: String) throws {
        self.path = path
        file = try OutputFile(path: path, mode: 0o644, exact: false)
        writer = CSVWriter(sink: file.sink, formulaGuard: FormulaGuard(freeTextColumns: [3, 4]))
        try writer.write(["line", "severity", "code", "field", "message"])
    }

    /// Where a finding's line and message are written, kept between findings for its storage.
    private var scratch: [UInt8] = []

    /// Writes one finding.
    ///
    /// Each field's bytes go straight to the writer, the line's digits and the message through one
    /// reused buffer: a duplicate's message is never made a String.
    public mutating func write(_ finding: Finding) throws {
        scratch.makeRoom(for: finding.messageCapacity + 40)
        scratch.withUnsafeMutableBufferPointer { buffer in
            writer.writeField(column: 0, of: 5, through: buffer) { $0.put(finding.line) }
            writer.writeField(finding.severity.rawValue, column: 1, of: 5)
            writer.writeField(finding.code.rawValue, column: 2, of: 5)
            writer.writeField(finding.field, column: 3, of: 5)
            writer.writeField(column: 4, of: 5, through: buffer) { $0.put(messageOf: finding) }
        }
        try writer.endRecord()
    }

    /// Writes out what is buffered and moves the file into place.
    public mutating func finish() throws {
        try writer.flush()
        try file.commit()
    }
}

extension CSVWriter {
    /// Writes what `put` writes into `buffer` (from its start) as field `column` of `fieldCount`.
    mutating func writeField(
        column: Int, of fieldCount: Int, through buffer: UnsafeMutableBufferPointer<UInt8>,
        _ put: (inout ByteWriter) -> Void
    ) {
        var bytes = ByteWriter(buffer)
        put(&bytes)
        writeField(UnsafeBufferPointer(rebasing: buffer[..<bytes.end]), column: column, of: fieldCount)
    }

    /// Writes `text` as field `column` of `fieldCount`.
    mutating func writeField(_ text: String, column: Int, of fieldCount: Int) {
        var text = text
        text.withUTF8 { writeField($0, column: column, of: fieldCount) }
    }
}

extension [UInt8] {
    /// Makes the buffer at least `count` bytes long (twice that, when it must grow), for a
    /// ``ByteWriter`` to write into; its bytes are left as they are.
    mutating func makeRoom(for count: Int) {
        if self.count < count { self = [UInt8](repeating: 0, count: 2 * count) }
    }
}
