/// One record read from a CSV input: its fields as UTF-8 bytes in one reusable buffer.
///
/// Pass the same record to ``CSVReader/next(into:)`` again and again: its storage is
/// kept, so reading allocates nothing per record once the buffers have grown. Fields
/// are byte views (``CSVField``); turn one into a `String` only when you need it. A copy
/// of a record is independent of the original (copy on write).
///
/// ```swift
/// var record = CSVRecord()
/// while case .record = try reader.next(into: &record) {
///     let email = record.string(at: 2)
/// }
/// ```
public struct CSVRecord: Sendable, Equatable {
    @usableFromInline var storage: RecordStorage
    /// Where the record starts in its input.
    public internal(set) var position = CSVPosition(byteOffset: 0, recordIndex: 0, line: 1)

    /// Creates an empty record, ready to be filled by a reader.
    public init() {
        storage = RecordStorage()
    }

    /// Creates a record holding the given fields, for tests and writers.
    public init(_ fields: [String]) {
        storage = RecordStorage()
        for field in fields {
            var field = field
            field.withUTF8 { if let base = $0.baseAddress { storage.append(base, $0.count) } }
            storage.endField()
        }
    }

    /// The number of fields.
    @inlinable public var count: Int { storage.fieldCount }

    /// The UTF-8 bytes of field `index`, as a view that copies nothing.
    @inlinable public subscript(index: Int) -> CSVField {
        CSVField(storage: storage, range: storage.range(of: index))
    }

    /// Field `index` as a `String`.
    @inlinable public func string(at index: Int) -> String {
        withUnsafeBytes(ofField: index) { String(decoding: $0, as: UTF8.self) }
    }

    /// All fields as `String`s.
    public var strings: [String] { (0..<count).map { string(at: $0) } }

    /// Calls `body` with the bytes of field `index`, valid only during the call.
    @inlinable public func withUnsafeBytes<R>(
        ofField index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R
    ) rethrows -> R {
        let range = storage.range(of: index)
        return try withExtendedLifetime(storage) {
            try body(UnsafeBufferPointer(start: storage.bytes + range.lowerBound, count: range.count))
        }
    }

    /// Makes the storage this record's own before a reader writes into it.
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    public static func == (lhs: CSVRecord, rhs: CSVRecord) -> Bool {
        lhs.position == rhs.position && lhs.count == rhs.count
            && (0..<lhs.count).allSatisfy { index in
                lhs.withUnsafeBytes(ofField: index) { left in
                    rhs.withUnsafeBytes(ofField: index) { right in left.elementsEqual(right) }
                }
            }
    }
}

/// The bytes of one field of a ``CSVRecord``: a collection view that copies nothing.
public struct CSVField: RandomAccessCollection, Sendable {
    @usableFromInline let storage: RecordStorage
    @usableFromInline let range: Range<Int>

    @inlinable init(storage: RecordStorage, range: Range<Int>) {
        self.storage = storage
        self.range = range
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { range.count }
    @inlinable public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < range.count, "field index out of range")
        return storage.bytes[range.lowerBound + position]
    }

    /// The field as a `String`.
    public var string: String {
        withExtendedLifetime(storage) {
            String(decoding: UnsafeBufferPointer(start: storage.bytes + range.lowerBound, count: range.count), as: UTF8.self)
        }
    }
}

/// The growable buffers behind ``CSVRecord``: field bytes and field ends, appended to
/// without per-call checks beyond one capacity compare.
@usableFromInline final class RecordStorage: @unchecked Sendable {
    @usableFromInline var bytes: UnsafeMutablePointer<UInt8>
    @usableFromInline var byteCount = 0
    var byteCapacity: Int
    @usableFromInline var ends: UnsafeMutablePointer<Int>
    @usableFromInline var fieldCount = 0
    var fieldCapacity: Int

    init(byteCapacity: Int = 1024, fieldCapacity: Int = 32) {
        self.byteCapacity = byteCapacity
        self.fieldCapacity = fieldCapacity
        bytes = .allocate(capacity: byteCapacity)
        ends = .allocate(capacity: fieldCapacity)
    }

    deinit {
        bytes.deallocate()
        ends.deallocate()
    }

    /// An independent copy.
    func copy() -> RecordStorage {
        let copy = RecordStorage(byteCapacity: max(byteCapacity, 1), fieldCapacity: max(fieldCapacity, 1))
        copy.bytes.update(from: bytes, count: byteCount)
        copy.ends.update(from: ends, count: fieldCount)
        copy.byteCount = byteCount
        copy.fieldCount = fieldCount
        return copy
    }

    @inlinable func range(of index: Int) -> Range<Int> {
        precondition(index >= 0 && index < fieldCount, "field index out of range")
        return (index == 0 ? 0 : ends[index - 1])..<ends[index]
    }

    /// The number of bytes of the field being filled.
    @inline(__always) var openFieldCount: Int { byteCount - (fieldCount == 0 ? 0 : ends[fieldCount - 1]) }

    @inline(__always) func removeAll() {
        byteCount = 0
        fieldCount = 0
    }

    @inline(__always) func append(_ source: UnsafePointer<UInt8>, _ count: Int) {
        if byteCount + count > byteCapacity { growBytes(to: byteCount + count) }
        (bytes + byteCount).update(from: source, count: count)
        byteCount += count
    }

    @inline(__always) func append(_ byte: UInt8) {
        if byteCount == byteCapacity { growBytes(to: byteCount + 1) }
        bytes[byteCount] = byte
        byteCount += 1
    }

    /// Ends the field being filled at the current end of the bytes.
    @inline(__always) func endField() {
        if fieldCount == fieldCapacity { growFields() }
        ends[fieldCount] = byteCount
        fieldCount += 1
    }

    /// Replaces every field with `newBytes` split at `newEnds`.
    func replace(bytes newBytes: [UInt8], ends newEnds: [Int]) {
        removeAll()
        newBytes.withUnsafeBufferPointer { if let base = $0.baseAddress { append(base, $0.count) } }
        for end in newEnds {
            if fieldCount == fieldCapacity { growFields() }
            ends[fieldCount] = end
            fieldCount += 1
        }
    }

    private func growBytes(to needed: Int) {
        var capacity = byteCapacity * 2
        while capacity < needed { capacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.update(from: bytes, count: byteCount)
        bytes.deallocate()
        bytes = grown
        byteCapacity = capacity
    }

    private func growFields() {
        let capacity = fieldCapacity * 2
        let grown = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
        grown.update(from: ends, count: fieldCount)
        ends.deallocate()
        ends = grown
        fieldCapacity = capacity
    }
}
