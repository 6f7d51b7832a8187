/// One record read from a CSV input: its fields as UTF-8 bytes in one reusable buffer.
///
/// Pass the same record to ``CSVReader/next(into:)`` again and again: its storage is
/// kept, so reading allocates nothing per record once the buffers have grown. Fields
/// are byte views (``CSVField``); turn one into a `String` only when you need it. A copy
/// of a record is independent of the original (copy on write).
///
/// Sendable, checked by hand: a reader writes a record's storage only after
/// `isKnownUniquelyReferenced` (`makeUnique()`), so a record sent to another thread, and any
/// copy or field view that shares its storage, is never written while shared.
///
/// ```swift
/// var record = CSVRecord()
/// while case .record = try reader.next(into: &record) {
///     let email = record.string(at: 2)
/// }
/// ```
public struct CSVRecord: @unchecked Sendable, Equatable {
    @usableFromInline var storage: RecordStorage
    /// The storage's pointers and field count, copied here after each write.
    ///
    /// Reading a field then touches no class property. Valid while `storage` is held.
    @usableFromInline var bytes: UnsafeMutablePointer<UInt8>
    @usableFromInline var ends: UnsafeMutablePointer<Int>
    @usableFromInline var fieldCount: Int
    /// Where the record starts in its input.
    public internal(set) var position = CSVPosition(byteOffset: 0, recordIndex: 0, line: 1)

    /// Creates an empty record, ready to be filled by a reader.
    public init() {
        storage = RecordStorage()
        bytes = storage.bytes
        ends = storage.ends
        fieldCount = 0
    }

    /// Creates a record holding the given fields, for tests and writers.
    public init(_ fields: [String]) {
        self.init()
        for field in fields {
            var field = field
            field.withUTF8 { if let base = $0.baseAddress { storage.append(base, $0.count) } }
            storage.endField()
        }
        synchronize()
    }

    /// Copies the storage's pointers and count after a write.
    mutating func synchronize() {
        bytes = storage.bytes
        ends = storage.ends
        fieldCount = storage.fieldCount
    }

    /// The number of fields.
    @inlinable public var count: Int { fieldCount }

    /// The byte range of field `index` within the record's bytes.
    @inlinable func range(of index: Int) -> Range<Int> {
        precondition(index >= 0 && index < fieldCount, "field index out of range")
        return (index == 0 ? 0 : ends[index - 1])..<ends[index]
    }

    /// The UTF-8 bytes of field `index`, as a view that copies nothing.
    @inlinable public subscript(index: Int) -> CSVField {
        CSVField(storage: storage, start: bytes, range: range(of: index))
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
        let range = range(of: index)
        return try withExtendedLifetime(storage) {
            try body(UnsafeBufferPointer(start: bytes + range.lowerBound, count: range.count))
        }
    }

    /// Calls `body` with a view of every field's bytes, valid only during the call.
    ///
    /// For reading several fields of one record without a closure per field.
    @inlinable public func withFieldBytes<R>(_ body: (CSVFieldBytes) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) {
            try body(CSVFieldBytes(bytes: UnsafePointer(bytes), ends: UnsafePointer(ends), count: fieldCount))
        }
    }

    /// Makes the storage this record's own before a reader writes into it.
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) {
            storage = storage.copy()
            synchronize()
        }
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

/// The bytes of a record's fields, as ``CSVRecord/withFieldBytes(_:)`` and
/// ``CSVReader/withFields(_:)`` lend them: valid only during that call.
///
/// The fields lie in ``allBytes``, in order: one after another in a ``CSVRecord``; in a record
/// read plain, with the delimiters and quotes between them, as the input holds them.
public struct CSVFieldBytes {
    @usableFromInline let bytes: UnsafePointer<UInt8>
    @usableFromInline let ends: UnsafePointer<Int>
    /// Where each field starts, counted as `ends` counts; nil when each starts where the one before ends.
    @usableFromInline let starts: UnsafePointer<Int>?
    /// What `starts` and `ends` count from, before `bytes`.
    @usableFromInline let offset: Int
    /// The number of bytes in ``allBytes``.
    @usableFromInline let byteCount: Int
    /// The number of fields.
    public let count: Int

    /// The fields of a ``CSVRecord``: each ends at `ends[index]` and starts where the one before ends.
    @inlinable init(bytes: UnsafePointer<UInt8>, ends: UnsafePointer<Int>, count: Int) {
        self.bytes = bytes
        self.ends = ends
        starts = nil
        offset = 0
        byteCount = count == 0 ? 0 : ends[count - 1]
        self.count = count
    }

    /// The fields of a record read plain: field `index` is `starts[index] - offset ..< ends[index] - offset`
    /// of the `byteCount` bytes at `bytes`.
    @inlinable init(
        bytes: UnsafePointer<UInt8>, starts: UnsafePointer<Int>, ends: UnsafePointer<Int>, offset: Int, byteCount: Int,
        count: Int
    ) {
        self.bytes = bytes
        self.ends = ends
        self.starts = starts
        self.offset = offset
        self.byteCount = byteCount
        self.count = count
    }

    /// Every field's bytes, in order, and what lies between them as the record holds it.
    @inlinable public var allBytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: bytes, count: byteCount) }

    /// Where field `index` (less than ``count``) lies in ``allBytes``.
    @inlinable @inline(__always)
    public func range(of index: Int) -> Range<Int> {
        precondition(index >= 0 && index < count, "field index out of range")
        let end = ends[index] &- offset
        if let starts { return Range(uncheckedBounds: (starts[index] &- offset, end)) }
        return Range(uncheckedBounds: (index == 0 ? 0 : ends[index - 1], end))
    }

    /// The bytes of field `index`, or no bytes when the record has fewer fields.
    @inlinable @inline(__always)
    public subscript(index: Int) -> UnsafeBufferPointer<UInt8> {
        guard index >= 0 && index < count else { return UnsafeBufferPointer(start: nil, count: 0) }
        let range = range(of: index)
        return UnsafeBufferPointer(start: bytes + range.lowerBound, count: range.upperBound &- range.lowerBound)
    }

    /// The field `index` as a `String`, or an empty one when the record has fewer fields.
    @inlinable public func string(at index: Int) -> String { String(decoding: self[index], as: UTF8.self) }

    /// All fields as `String`s.
    public var strings: [String] { (0..<count).map { string(at: $0) } }
}

/// The bytes of one field of a ``CSVRecord``: a collection view that copies nothing.
///
/// Sendable, checked by hand: it holds a reference to its record's storage, so the record copies
/// that storage before it is written again, and the bytes a field views never change.
public struct CSVField: RandomAccessCollection, @unchecked Sendable {
    /// Keeps the bytes alive.
    @usableFromInline let storage: RecordStorage
    @usableFromInline let start: UnsafeMutablePointer<UInt8>
    @usableFromInline let range: Range<Int>

    @inlinable init(storage: RecordStorage, start: UnsafeMutablePointer<UInt8>, range: Range<Int>) {
        self.storage = storage
        self.start = start
        self.range = range
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { range.count }
    @inlinable public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < range.count, "field index out of range")
        return start[range.lowerBound + position]
    }

    /// The field as a `String`.
    public var string: String {
        withExtendedLifetime(storage) {
            String(decoding: UnsafeBufferPointer(start: start + range.lowerBound, count: range.count), as: UTF8.self)
        }
    }
}

/// The growable buffers behind ``CSVRecord``: field bytes and field ends, appended to
/// without per-call checks beyond one capacity compare.
///
/// Its properties skip the run-time exclusivity check: a storage is written only by the
/// one reader filling the record that uniquely owns it.
@usableFromInline final class RecordStorage: @unchecked Sendable {
    @exclusivity(unchecked) @usableFromInline var bytes: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) @usableFromInline var byteCount = 0
    @exclusivity(unchecked) var byteCapacity: Int
    @exclusivity(unchecked) @usableFromInline var ends: UnsafeMutablePointer<Int>
    @exclusivity(unchecked) @usableFromInline var fieldCount = 0
    @exclusivity(unchecked) var fieldCapacity: Int

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

    func growBytes(to needed: Int) {
        var capacity = byteCapacity * 2
        while capacity < needed { capacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.update(from: bytes, count: byteCount)
        bytes.deallocate()
        bytes = grown
        byteCapacity = capacity
    }

    func growFields() {
        let capacity = fieldCapacity * 2
        let grown = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
        grown.update(from: ends, count: fieldCount)
        ends.deallocate()
        ends = grown
        fieldCapacity = capacity
    }
}

/// A record's buffers as the scanner fills them: plain stored values, so that appending
/// costs no class-property access, written back to the ``RecordStorage`` by ``commit()``.
struct RecordWriter {
    let storage: RecordStorage
    var bytes: UnsafeMutablePointer<UInt8>
    var byteCount = 0
    var byteCapacity: Int
    var ends: UnsafeMutablePointer<Int>
    var fieldCount = 0
    var fieldCapacity: Int

    /// Starts writing an empty record into `storage`.
    init(_ storage: RecordStorage) {
        self.storage = storage
        bytes = storage.bytes
        byteCapacity = storage.byteCapacity
        ends = storage.ends
        fieldCapacity = storage.fieldCapacity
    }

    /// Writes the counts back to the storage.
    func commit() {
        storage.byteCount = byteCount
        storage.fieldCount = fieldCount
    }

    /// Writes the counts back to the storage and the record that holds it.
    func commit(to record: inout CSVRecord) {
        commit()
        record.bytes = bytes
        record.ends = ends
        record.fieldCount = fieldCount
    }

    /// Reloads the pointers and counts after the storage itself changed.
    private mutating func reload() {
        bytes = storage.bytes
        byteCapacity = storage.byteCapacity
        ends = storage.ends
        fieldCapacity = storage.fieldCapacity
        byteCount = storage.byteCount
        fieldCount = storage.fieldCount
    }

    /// The number of bytes of the field being filled.
    @inline(__always) var openFieldCount: Int { byteCount - (fieldCount == 0 ? 0 : ends[fieldCount - 1]) }

    @inline(__always) mutating func append(_ source: UnsafePointer<UInt8>, _ count: Int) {
        if byteCount + count > byteCapacity { grow(bytes: byteCount + count) }
        (bytes + byteCount).update(from: source, count: count)
        byteCount += count
    }

    @inline(__always) mutating func append(_ byte: UInt8) {
        if byteCount == byteCapacity { grow(bytes: byteCount + 1) }
        bytes[byteCount] = byte
        byteCount += 1
    }

    /// Ends the field being filled.
    @inline(__always) mutating func endField() {
        if fieldCount == fieldCapacity { grow(fields: fieldCount + 1) }
        ends[fieldCount] = byteCount
        fieldCount += 1
    }

    /// The byte range of field `index`.
    func range(of index: Int) -> Range<Int> {
        (index == 0 ? 0 : ends[index - 1])..<ends[index]
    }

    /// Whether every field is well-formed UTF-8 on its own.
    var isValidUTF8: Bool {
        TextEncoding.isValidUTF8(bytes: bytes, ends: ends, fieldCount: fieldCount, byteCount: byteCount)
    }

    /// Replaces every field with `newBytes` split at `newEnds`.
    mutating func replace(bytes newBytes: [UInt8], ends newEnds: [Int]) {
        commit()
        storage.replace(bytes: newBytes, ends: newEnds)
        reload()
    }

    private mutating func grow(bytes needed: Int) {
        commit()
        storage.growBytes(to: needed)
        reload()
    }

    private mutating func grow(fields needed: Int) {
        commit()
        storage.growFields()
        reload()
    }
}
