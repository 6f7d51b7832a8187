/// One record read from a CSV input: its fields as UTF-8 bytes in one reusable buffer.
///
/// Pass the same record to ``CSVReader/next(into:)`` again and again: its storage is
/// kept, so reading allocates nothing per record once the buffers have grown. Fields
/// are byte views; turn one into a `String` only when you need it.
///
/// ```swift
/// var record = CSVRecord()
/// while case .record = try reader.next(into: &record) {
///     let email = record.string(at: 2)
/// }
/// ```
public struct CSVRecord: Sendable, Equatable {
    /// The bytes of all fields, one after the other, always valid UTF-8.
    public internal(set) var bytes: [UInt8] = []
    /// The end offset in ``bytes`` of each field.
    @usableFromInline internal var ends: [Int] = []
    /// Where the record starts in its input.
    public internal(set) var position = CSVPosition(byteOffset: 0, recordIndex: 0, line: 1)

    /// Creates an empty record, ready to be filled by a reader.
    public init() {
        bytes.reserveCapacity(1024)
        ends.reserveCapacity(32)
    }

    /// Creates a record holding the given fields, for tests and writers.
    public init(_ fields: [String]) {
        for field in fields {
            bytes.append(contentsOf: field.utf8)
            ends.append(bytes.count)
        }
    }

    /// The number of fields.
    @inlinable public var count: Int { ends.count }

    /// The byte range of field `index` within ``bytes``.
    @inlinable public func range(of index: Int) -> Range<Int> {
        (index == 0 ? 0 : ends[index - 1])..<ends[index]
    }

    /// The UTF-8 bytes of field `index`, without copying them.
    @inlinable public subscript(index: Int) -> ArraySlice<UInt8> {
        bytes[range(of: index)]
    }

    /// Field `index` as a `String`.
    @inlinable public func string(at index: Int) -> String {
        let range = range(of: index)
        return bytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self)
        }
    }

    /// All fields as `String`s.
    public var strings: [String] { (0..<count).map { string(at: $0) } }

    /// Calls `body` with the bytes of field `index`, valid only during the call.
    @inlinable public func withUnsafeBytes<R>(
        ofField index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R
    ) rethrows -> R {
        let range = range(of: index)
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// Empties the record and keeps its storage.
    @usableFromInline internal mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    /// Ends the field being filled at the current end of ``bytes``.
    @usableFromInline internal mutating func endField() {
        ends.append(bytes.count)
    }

    /// The number of bytes of the field being filled.
    @usableFromInline internal var openFieldCount: Int {
        bytes.count - (ends.last ?? 0)
    }

    /// Replaces the record's fields with `fields`, keeping its position.
    internal mutating func replaceFields(bytes newBytes: [UInt8], ends newEnds: [Int]) {
        bytes = newBytes
        ends = newEnds
    }
}
