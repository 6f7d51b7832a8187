import SwitchboardCSV

/// One row's cells as the file holds them (decoded, not trimmed), as UTF-8 in one buffer, with
/// where each canonical field's value lies among them.
///
/// The second pass reads every row of a file, and most of a row's cells are only looked at
/// (trimmed, checked) or written back out as they are: held as one buffer, a row costs one
/// allocation instead of a String and a change for each cell, and a field's text becomes a
/// String only when something asks for it. A field's value is a range of the bytes: its cell,
/// without a formula guard a report put before it, narrowed by trimming.
///
/// The buffer is read and written only inside a closure on it (``read(_:)``, ``withView(_:)``),
/// which hands out a ``View`` valid for that call alone; no pointer to it outlives the closure.
///
/// `@unchecked Sendable`: the value holds a class reference and no pointer; the buffer is written
/// only while it is made, and through ``withView(_:)``, on a buffer that this value alone holds
/// (copied first otherwise). A buffer that two values, and so perhaps two threads, share is
/// only ever read.
struct RowCells: @unchecked Sendable {
    /// What a row's cells ask of one canonical field, as ``FieldChange`` without its text.
    enum Slot: Equatable {
        /// Keep the stored value.
        case keep
        /// Clear the stored value.
        case clear
        /// Set the field to the text of these bytes.
        case set(Range<Int>)
    }

    /// The buffer: `UInt32` words (each cell's start and end among the bytes, then two slot words
    /// for each canonical field), then the cells' bytes in the elements after the words, the last
    /// one padded.
    ///
    /// A cell's start is kept, not only its end, so that the bytes may hold more than the cells:
    /// a plain record's delimiters and quotes, copied with it at once (``init(fields:)``).
    ///
    /// The memory is typed: the words are `UInt32` elements, read and written as such, and the
    /// elements after them are bound to `UInt8` once, when the buffer is made and before anything
    /// is written there (``allocate(_:_:)``), and are accessed only as bytes from then on. Each
    /// region keeps one type for the buffer's life, and one allocation still holds a whole row.
    private final class Buffer: ManagedBuffer<Void, UInt32> {}

    /// The buffer; nil for a row with no cells and every field kept.
    private var buffer: Buffer?
    /// How many cells the row has.
    let count: Int
    /// How many bytes the cells take in all.
    private let byteCount: Int

    /// The canonical fields, each with two slot words.
    private static let fieldCount = CanonicalField.allCases.count

    /// No cells, every field kept.
    init() {
        buffer = nil
        count = 0
        byteCount = 0
    }

    /// The cells of `record`, every field kept: its bytes copied at once, and where each field lies.
    init(record: CSVRecord) {
        self = record.withFieldBytes { RowCells(fields: $0) }
    }

    /// The cells of a record's fields, every field kept: the record's bytes (a plain record's
    /// delimiters and quotes included) copied at once, and where each field lies among them.
    init(fields: CSVFieldBytes) {
        let all = fields.allBytes
        self.init(empty: fields.count, byteCount: all.count)
        Self.withView(of: buffer!, count: count) { view in
            if let base = all.baseAddress { view.bytes.initialize(from: base, count: all.count) }
            for index in 0..<fields.count { view.setRange(fields.range(of: index), ofCell: index) }
        }
    }

    /// The given cells, every field kept.
    init(_ cells: [String]) {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for cell in cells {
            bytes.append(contentsOf: cell.utf8)
            ends.append(bytes.count)
        }
        self = bytes.withUnsafeBufferPointer { bytes in
            RowCells(count: ends.count, byteCount: bytes.count) { index in
                let start = index == 0 ? 0 : ends[index - 1]
                return UnsafeBufferPointer(rebasing: bytes[start..<ends[index]])
            }
        }
    }

    /// Copies `count` cells, whose bytes `cell` gives and which take `byteCount` bytes in all.
    private init(count: Int, byteCount: Int, cell: (Int) -> UnsafeBufferPointer<UInt8>) {
        self.init(empty: count, byteCount: byteCount)
        Self.withView(of: buffer!, count: count) { view in
            var end = 0
            for index in 0..<count {
                let source = cell(index)
                if let base = source.baseAddress { (view.bytes + end).initialize(from: base, count: source.count) }
                view.setRange(end..<end + source.count, ofCell: index)
                end += source.count
            }
        }
    }

    /// A buffer for `count` cells of `byteCount` bytes, every field kept, its cells left to be written.
    private init(empty count: Int, byteCount: Int) {
        self.count = count
        self.byteCount = byteCount
        let buffer = Self.allocate(count, byteCount)
        Self.withView(of: buffer, count: count) { view in
            for field in 0..<Self.fieldCount { view.store(.keep, at: field) }
        }
        self.buffer = buffer
    }

    /// A buffer for `count` cells of `byteCount` bytes, the elements after its words bound to
    /// `UInt8`; nothing is written.
    private static func allocate(_ count: Int, _ byteCount: Int) -> Buffer {
        // Cell ranges are 32-bit offsets, and the two highest values mark kept and cleared fields.
        precondition(byteCount <= CSVLimits.largestRecordBytes, "a row's cells must fit 32-bit offsets (CSVLimits)")
        let words = wordCount(count)
        let byteWords = (byteCount + 3) / 4
        let made = Buffer.create(minimumCapacity: words + byteWords) { _ in }
        let buffer = unsafeDowncast(made, to: Buffer.self)
        buffer.withUnsafeMutablePointerToElements { elements in
            _ = UnsafeMutableRawPointer(elements + words).bindMemory(to: UInt8.self, capacity: 4 * byteWords)
        }
        return buffer
    }

    /// How many words a buffer of `count` cells has before its bytes: a start and an end for
    /// each cell, and two slot words for each field.
    @inline(__always)
    private static func wordCount(_ count: Int) -> Int { 2 &* (count &+ fieldCount) }

    /// The cells read and written in place: valid only during ``withView(_:)`` or ``read(_:)``.
    struct View {
        /// How many cells there are.
        let count: Int
        /// The cell ranges, then the slots: two words each.
        let words: UnsafeMutablePointer<UInt32>
        /// The cells' bytes.
        let bytes: UnsafeMutablePointer<UInt8>

        /// The view of the elements of a buffer of `count` cells.
        @inline(__always)
        fileprivate init(count: Int, elements: UnsafeMutablePointer<UInt32>) {
            self.count = count
            words = elements
            // Bound to UInt8 when the buffer was made (allocate).
            bytes = UnsafeMutableRawPointer(elements + RowCells.wordCount(count)).assumingMemoryBound(to: UInt8.self)
        }

        /// The byte range of cell `index`; empty past the last cell.
        @inline(__always)
        func range(ofCell index: Int) -> Range<Int> {
            guard index >= 0 && index < count else { return 0..<0 }
            // Offsets within the buffer, which cannot overflow: wrapping arithmetic, no checks.
            let at = 2 &* index
            return Range(uncheckedBounds: (Int(words[at]), Int(words[at &+ 1])))
        }

        /// Makes cell `index` (less than ``count``) the bytes of `range`.
        @inline(__always)
        func setRange(_ range: Range<Int>, ofCell index: Int) {
            let at = 2 &* index
            words[at] = UInt32(truncatingIfNeeded: range.lowerBound)
            words[at &+ 1] = UInt32(truncatingIfNeeded: range.upperBound)
        }

        /// The bytes of `range`.
        @inline(__always)
        func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(start: bytes + range.lowerBound, count: range.upperBound &- range.lowerBound)
        }

        /// What the cells ask of the field whose raw value is `field`.
        @inline(__always)
        func slot(_ field: Int) -> Slot {
            let at = 2 &* (count &+ field)
            let first = words[at]
            switch first {
            case UInt32.max: return .keep
            case UInt32.max - 1: return .clear
            default: return .set(Range(uncheckedBounds: (Int(first), Int(words[at &+ 1]))))
            }
        }

        /// Makes the cells ask `slot` of the field whose raw value is `field`.
        @inline(__always)
        func store(_ slot: Slot, at field: Int) {
            let at = 2 &* (count &+ field)
            switch slot {
            case .keep: words[at] = UInt32.max
            case .clear: words[at] = UInt32.max - 1
            case .set(let range):
                words[at] = UInt32(truncatingIfNeeded: range.lowerBound)
                words[at &+ 1] = UInt32(truncatingIfNeeded: range.upperBound)
            }
        }
    }

    /// Calls `body` with a view of the elements of `buffer`, which holds `count` cells, valid only
    /// during the call.
    @inline(__always)
    private static func withView<R>(of buffer: Buffer, count: Int, _ body: (View) throws -> R) rethrows -> R {
        try buffer.withUnsafeMutablePointerToElements { elements in try body(View(count: count, elements: elements)) }
    }

    /// Calls `body` with a view of the cells to read; nil, without calling it, when there is no buffer.
    @inline(__always)
    func read<R>(_ body: (View) throws -> R) rethrows -> R? {
        // The buffer is not counted once more for the call (a retain and a release, several times
        // a row, where the row is read from a class's storage or a variable): `self`, borrowed for
        // the call and so unchanged, holds it until `body` returns, as `_withUnsafeGuaranteedRef` asks.
        guard let buffer = buffer.map(Unmanaged.passUnretained) else { return nil }
        return try buffer._withUnsafeGuaranteedRef { buffer in try Self.withView(of: buffer, count: count, body) }
    }

    /// Calls `body` with a view of the cells to change their slots (their bytes stay as they are),
    /// the buffer made this value's own first.
    @inline(__always)
    mutating func withView<R>(_ body: (View) throws -> R) rethrows -> R {
        if buffer == nil { self = RowCells(empty: 0, byteCount: 0) }
        if !isKnownUniquelyReferenced(&buffer) { buffer = copy() }
        return try read(body)!
    }

    /// Calls `body` with the bytes of cell `index`, valid only during the call (none past the last cell).
    func withCell<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try read { view in try body(view.bytes(view.range(ofCell: index))) }
            ?? body(UnsafeBufferPointer(start: nil, count: 0))
    }

    /// Whether every cell is blank: empty or only whitespace.
    ///
    /// Such a row is bare delimiters that a spreadsheet left behind. Most rows are told from
    /// their first cell's first byte.
    var isBlank: Bool {
        for index in 0..<count {
            let blank = withCell(index) { bytes -> Bool in
                guard let first = bytes.first else { return true }
                if UTF8Whitespace.cannotStart(first) { return false }
                return String(decoding: bytes, as: UTF8.self).unicodeScalars.allSatisfy(\.properties.isWhitespace)
            }
            if !blank { return false }
        }
        return true
    }

    /// Whether some cell may hold a control or bidirectional character
    /// (``FieldRules/controlScalar(utf8:)``): false for most rows, whose fields then need no look.
    ///
    /// Looks at all the bytes at once, delimiters and quotes of a plain record included (they
    /// are printable).
    var mayHoldControlCharacters: Bool {
        read { view in FieldRules.controlScalar(utf8: UnsafeBufferPointer(start: view.bytes, count: byteCount)) != nil }
            ?? false
    }

    /// Cell `index` as a String.
    func string(at index: Int) -> String {
        withCell(index) { String(decoding: $0, as: UTF8.self) }
    }

    /// Every cell as a String.
    var strings: [String] { (0..<count).map(string(at:)) }

    /// What the cells ask of `field`.
    func slot(_ field: CanonicalField) -> Slot {
        read { $0.slot(field.rawValue) } ?? .keep
    }

    /// Makes the cells ask `slot` of `field`; a range must lie within the cells' bytes.
    mutating func setSlot(_ field: CanonicalField, _ slot: Slot) {
        if case .set(let range) = slot {
            precondition(range.lowerBound >= 0 && range.upperBound <= byteCount, "a value outside the cells")
        }
        withView { $0.store(slot, at: field.rawValue) }
    }

    /// Calls `body` with the bytes of the text set for `field`, valid only during the call; nil,
    /// without calling it, when the field is kept or cleared.
    @inline(__always)
    func withValue<R>(_ field: CanonicalField, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        try read { view in
            guard case .set(let range) = view.slot(field.rawValue) else { return nil }
            return try body(view.bytes(range))
        } ?? nil
    }

    /// The fields, as bits by raw value, whose set text's bytes pass `test`: read in one look at the buffer.
    func fieldsSet(where test: (UnsafeBufferPointer<UInt8>) -> Bool) -> UInt64 {
        read { view in
            var fields: UInt64 = 0
            for field in 0..<Self.fieldCount {
                if case .set(let range) = view.slot(field), test(view.bytes(range)) { fields |= 1 << field }
            }
            return fields
        } ?? 0
    }

    /// The change the cells ask of `field`, its text made a String.
    func change(_ field: CanonicalField) -> FieldChange {
        read { view in
            switch view.slot(field.rawValue) {
            case .keep: .keep
            case .clear: .clear
            case .set(let range): .set(String(decoding: view.bytes(range), as: UTF8.self))
            }
        } ?? .keep
    }

    /// A copy of the buffer, for a value about to change one that another value holds too.
    private func copy() -> Buffer {
        let copy = Self.allocate(count, byteCount)
        Self.withView(of: buffer!, count: count) { source in
            Self.withView(of: copy, count: count) { target in
                target.words.initialize(from: source.words, count: Self.wordCount(count))
                target.bytes.initialize(from: source.bytes, count: byteCount)
            }
        }
        return copy
    }
}

extension RowCells: Equatable {
    /// Whether two rows have the same cells and ask the same of every field.
    static func == (left: RowCells, right: RowCells) -> Bool {
        guard left.count == right.count else { return false }
        for index in 0..<left.count {
            let same = left.withCell(index) { one in right.withCell(index) { other in one.elementsEqual(other) } }
            if !same { return false }
        }
        return CanonicalField.allCases.allSatisfy { left.change($0) == right.change($0) }
    }
}
