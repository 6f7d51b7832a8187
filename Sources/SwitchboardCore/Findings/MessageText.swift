/// Writes ASCII text, Strings and decimal numbers into a buffer that is large enough: how a
/// message that some files put on most of their rows is made, in one allocation and one pass.
///
/// A duplicate's message listing ten lines cost about 4,500 instructions made of joined Strings
/// and numbers' descriptions; written here it costs about 1,300 (callgrind). Every `put` checks
/// that its text fits.
struct ByteWriter {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    /// How many bytes are written.
    private(set) var end = 0

    /// Room enough for a message's own words, beside its Strings and its ``put(lines:others:excluding:)``.
    static let wordsCapacity = 160
    /// Room enough for ``put(lines:others:excluding:)``: "lines " and ten numbers of up to 20
    /// digits with their separators, then " (and N more)".
    static let linesCapacity = 300

    /// A writer at the start of `buffer`.
    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        base = buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: 1)!
        capacity = buffer.count
    }

    /// Writes `text`.
    mutating func put(_ text: StaticString) {
        let count = text.utf8CodeUnitCount
        precondition(end + count <= capacity, "the text does not fit")
        (base + end).initialize(from: text.utf8Start, count: count)
        end += count
    }

    /// Writes the UTF-8 of `text`. (A literal goes to the `StaticString` overload: no String is made.)
    mutating func put(contentsOf text: String) {
        var text = text
        text.withUTF8 { put(contentsOf: $0) }
    }

    /// Writes the bytes `bytes`, which are UTF-8.
    mutating func put(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        precondition(end + bytes.count <= capacity, "the text does not fit")
        guard let source = bytes.baseAddress else { return }
        (base + end).initialize(from: source, count: bytes.count)
        end += bytes.count
    }

    /// Writes `number` in decimal: its digits counted first, then written from the last, two at a time.
    mutating func put(_ number: Int) {
        precondition(end + 20 <= capacity, "the number may not fit")
        if number < 0 {
            base[end] = UInt8(ascii: "-")
            end += 1
        }
        var rest = UInt64(number.magnitude)
        var digits = 1
        var power: UInt64 = 10
        while digits < 20 && rest >= power {
            digits += 1
            power = power &* 10
        }
        end += digits
        var position = end
        let pairs = Self.digitPairs.utf8Start
        while rest >= 100 {
            let pair = Int(truncatingIfNeeded: rest % 100) &* 2
            rest /= 100
            position -= 2
            base[position] = pairs[pair]
            base[position + 1] = pairs[pair + 1]
        }
        if rest >= 10 {
            let pair = Int(truncatingIfNeeded: rest) &* 2
            base[position - 2] = pairs[pair]
            base[position - 1] = pairs[pair + 1]
        } else {
            base[position - 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest)
        }
    }

    /// Writes an extension as people write it, with its site: `4021` or `4021@paris`.
    mutating func put(extensionOf number: String, site: String) {
        put(contentsOf: number)
        guard !site.isEmpty else { return }
        put("@")
        put(contentsOf: site)
    }

    /// Writes the extension of `row` as ``put(extensionOf:site:)`` does, from the row's bytes.
    mutating func put(extensionOf row: NormalizedRow) {
        row.withBytes(of: .extensionNumber) { put(contentsOf: $0) }
        guard row.byteCount(of: .site) > 0 else { return }
        put("@")
        row.withBytes(of: .site) { put(contentsOf: $0) }
    }

    /// Every number from 00 to 99, as two ASCII digits each.
    private static let digitPairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """

    /// Writes the lines of a run other than `line` as people read them, `lines 3, 7 and 9`.
    ///
    /// It lists at most ``linesListedInMessages``, then says how many more. `leading` are the
    /// run's first lines (eleven, or all when fewer), ascending; `others` how many lines the run
    /// has besides `line`.
    mutating func put(lines leading: some Sequence<Int>, others total: Int, excluding line: Int) {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: linesListedInMessages) { shown in
            var count = 0
            for other in leading where other != line {
                shown[count] = other
                count += 1
                if count == linesListedInMessages { break }
            }
            put(count == 1 ? "line " : "lines ")
            for index in 0..<count {
                if index > 0 { put(index == count - 1 ? " and " : ", ") }
                put(shown[index])
            }
            if total > count {
                put(" (and ")
                put(total - count)
                put(" more)")
            }
        }
    }
}

/// How many other lines a duplicate's message names before it says how many more there are.
let linesListedInMessages = 10

extension String {
    /// The text `write` puts, of at most `capacity` bytes, written straight into the String's own buffer.
    init(capacity: Int, writing write: (inout ByteWriter) -> Void) {
        self.init(unsafeUninitializedCapacity: capacity) { buffer in
            var writer = ByteWriter(buffer)
            write(&writer)
            return writer.end
        }
    }
}
