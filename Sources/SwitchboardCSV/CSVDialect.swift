/// How a CSV file separates and quotes its fields.
///
/// The quote character is always `"`, as RFC 4180 has it. The delimiter is any single
/// ASCII byte; `nil` asks the reader to sniff it among ``CSVDialect/sniffedDelimiters``.
///
/// ```swift
/// let webex = CSVDialect(delimiter: UInt8(ascii: ","), backslashEscapes: true)
/// ```
public struct CSVDialect: Sendable, Equatable {
    /// The delimiters the reader chooses among when none is given, in order of preference.
    public static let sniffedDelimiters: [UInt8] = [
        UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|"),
    ]

    /// The byte between fields, or `nil` to sniff it from the first lines of the input.
    public var delimiter: UInt8?

    /// Whether a backslash in an unquoted field makes the next byte literal (`Smith\, Jr.`).
    ///
    /// Webex Control Hub writes commas this way. Inside quoted fields a backslash is
    /// always an ordinary character.
    public var backslashEscapes: Bool

    /// Creates a dialect; the defaults sniff the delimiter and treat backslashes as text.
    public init(delimiter: UInt8? = nil, backslashEscapes: Bool = false) {
        self.delimiter = delimiter
        self.backslashEscapes = backslashEscapes
    }
}

/// The bounds that keep one runaway record from eating the rest of a file or the memory.
///
/// A record that passes a bound is reported as ``CSVIssueCode/fieldTooLarge`` or
/// ``CSVIssueCode/recordTooLarge``, and reading resumes after the line where the
/// offending field began.
public struct CSVLimits: Sendable, Equatable {
    /// The most bytes one field may hold; 1 MiB by default.
    public var maxFieldBytes: Int
    /// The most physical lines one quoted field may span; 10,000 by default.
    public var maxFieldLines: Int
    /// The most bytes one record may hold over all its fields; 8 MiB by default.
    public var maxRecordBytes: Int
    /// The most fields one record may hold; 100,000 by default.
    public var maxFields: Int

    /// The most bytes any record may hold, whatever the limits say.
    ///
    /// A record's fields are found by 32-bit offsets into its bytes, and downstream a row keeps
    /// the two highest values of `UInt32` as marks. ``maxFieldBytes`` and ``maxRecordBytes`` may
    /// not exceed it.
    public static let largestRecordBytes = Int(UInt32.max) - 2

    /// Creates limits; the defaults suit any real directory export.
    ///
    /// A field or record bound above ``largestRecordBytes`` stops the program.
    public init(
        maxFieldBytes: Int = 1 << 20,
        maxFieldLines: Int = 10_000,
        maxRecordBytes: Int = 8 << 20,
        maxFields: Int = 100_000
    ) {
        self.maxFieldBytes = maxFieldBytes
        self.maxFieldLines = maxFieldLines
        self.maxRecordBytes = maxRecordBytes
        self.maxFields = maxFields
        checkOffsets()
    }

    /// Stops the program when a bound lets a record's offsets pass 32 bits.
    func checkOffsets() {
        precondition(
            maxFieldBytes <= Self.largestRecordBytes && maxRecordBytes <= Self.largestRecordBytes,
            "CSVLimits: a record's offsets are 32-bit: at most \(Self.largestRecordBytes) bytes")
    }
}

/// The text encoding the reader found at the start of its input.
public enum CSVEncoding: String, Sendable, Equatable {
    /// UTF-8 without a byte-order mark (bytes that are not UTF-8 fall back to Windows-1252).
    case utf8
    /// UTF-8 that began with the byte-order mark `EF BB BF`, which is stripped.
    case utf8WithBOM = "utf8-bom"
    /// UTF-16 little-endian, with or without its byte-order mark, transcoded to UTF-8.
    case utf16LittleEndian = "utf16le"
    /// UTF-16 big-endian, with or without its byte-order mark, transcoded to UTF-8.
    case utf16BigEndian = "utf16be"
}
