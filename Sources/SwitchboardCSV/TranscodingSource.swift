/// Turns a raw byte source into a UTF-8 stream: strips a UTF-8 BOM and transcodes UTF-16.
///
/// The encoding is decided once, from the first bytes: a BOM names it; without one,
/// NUL bytes in every other position reveal UTF-16 (reported as a warning). Anything
/// else passes through untouched; invalid UTF-8 is handled per field by the reader.
struct TranscodingSource<Source: ByteSource> {
    private var source: Source
    private(set) var encoding: CSVEncoding = .utf8
    /// The number of BOM bytes skipped at the start of the input.
    private(set) var bomLength = 0
    /// Warnings found while decoding, oldest first, each code at most once.
    private(set) var warnings: [CSVIssueCode] = []

    /// Raw bytes read ahead while detecting the encoding, served before the source.
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var detected = false
    private var sourceEnded = false

    /// Raw UTF-16 input not yet transcoded: scratch space plus an odd byte or a high surrogate.
    private var raw: UnsafeMutablePointer<UInt8>
    private let rawCapacity: Int
    private let chunkSize: Int
    private var leftoverByte: UInt8?
    private var highSurrogate: UInt16?

    /// The number of raw bytes looked at to recognise UTF-16 without a BOM.
    private static var probeLength: Int { 512 }

    init(_ source: Source, chunkSize: Int) {
        self.source = source
        self.chunkSize = max(1, chunkSize)
        rawCapacity = max(2, (chunkSize + 1) / 2 * 2)
        raw = .allocate(capacity: rawCapacity)
    }

    /// Takes the input for UTF-8 without a BOM, without looking at it.
    ///
    /// For a source reopened in the middle of input already found to be UTF-8. Call before the
    /// first ``fill(_:capacity:)``.
    mutating func assumeUTF8() {
        detected = true
        encoding = .utf8
    }

    /// Frees the scratch buffer; call once when done.
    func deallocate() {
        raw.deallocate()
    }

    /// Writes at least one byte of UTF-8 into `buffer` (at most `capacity`, which must be
    /// at least 4) and returns the count; returns 0 only at the end of the input.
    mutating func fill(_ buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        if !detected { try detect() }
        switch encoding {
        case .utf8, .utf8WithBOM:
            return try readRaw(into: buffer, capacity: min(capacity, chunkSize))
        case .utf16LittleEndian, .utf16BigEndian:
            return try transcodeUTF16(into: buffer, capacity: capacity)
        }
    }

    /// Reads raw bytes, from the detection look-ahead first.
    private mutating func readRaw(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        if pendingOffset < pending.count {
            let count = min(capacity, pending.count - pendingOffset)
            pending.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + pendingOffset, count: count) }
            pendingOffset += count
            if pendingOffset == pending.count {
                pending = []
                pendingOffset = 0
            }
            return count
        }
        if sourceEnded { return 0 }
        let count = try source.read(into: buffer, capacity: capacity)
        if count == 0 { sourceEnded = true }
        return count
    }

    /// Reads the first bytes, decides the encoding and skips the BOM.
    private mutating func detect() throws {
        detected = true
        var probe = [UInt8](repeating: 0, count: Self.probeLength)
        var filled = 0
        while filled < Self.probeLength {
            let count = try probe.withUnsafeMutableBufferPointer {
                try source.read(into: $0.baseAddress! + filled, capacity: Self.probeLength - filled)
            }
            if count == 0 {
                sourceEnded = true
                break
            }
            filled += count
        }
        probe.removeSubrange(filled...)
        pending = probe
        if probe.starts(with: [0xEF, 0xBB, 0xBF]) {
            encoding = .utf8WithBOM
            bomLength = 3
        } else if probe.starts(with: [0xFF, 0xFE]) {
            encoding = .utf16LittleEndian
            bomLength = 2
        } else if probe.starts(with: [0xFE, 0xFF]) {
            encoding = .utf16BigEndian
            bomLength = 2
        } else if let guess = Self.guessUTF16(probe) {
            encoding = guess
            warnings.append(.utf16WithoutBOM)
        }
        pendingOffset = bomLength
    }

    /// Recognises UTF-16 without a BOM: NUL in one byte of almost every pair, never in the other.
    static func guessUTF16(_ probe: [UInt8]) -> CSVEncoding? {
        let pairs = probe.count / 2
        guard pairs >= 4 else { return nil }
        var evenZero = 0
        var oddZero = 0
        for pair in 0..<pairs {
            if probe[2 * pair] == 0 { evenZero += 1 }
            if probe[2 * pair + 1] == 0 { oddZero += 1 }
        }
        if oddZero * 10 >= pairs * 7 && evenZero == 0 { return .utf16LittleEndian }
        if evenZero * 10 >= pairs * 7 && oddZero == 0 { return .utf16BigEndian }
        return nil
    }

    /// Reads UTF-16 code units and writes them as UTF-8, pairing surrogates across chunks.
    private mutating func transcodeUTF16(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        let littleEndian = encoding == .utf16LittleEndian
        // Each code unit (2 bytes) yields at most 3 bytes of UTF-8; a paired surrogate 4 for 4.
        let rawLimit = max(2, min(rawCapacity, (capacity - 3) / 3 * 2))
        var written = 0
        while written == 0 {
            var available = 0
            if let byte = leftoverByte {
                raw[0] = byte
                available = 1
                leftoverByte = nil
            }
            let count = try readRaw(into: raw + available, capacity: rawLimit - available)
            available += count
            if count == 0 {
                // End of input: a dangling half unit or high surrogate becomes U+FFFD.
                if available > 0 || highSurrogate != nil {
                    highSurrogate = nil
                    noteWarning(.invalidUTF16)
                    written += TextEncoding.encodeUTF8(0xFFFD, into: buffer + written)
                }
                return written
            }
            var index = 0
            while index + 1 < available {
                let unit =
                    littleEndian
                    ? UInt16(raw[index]) | UInt16(raw[index + 1]) << 8
                    : UInt16(raw[index]) << 8 | UInt16(raw[index + 1])
                index += 2
                written += emit(unit, into: buffer + written)
            }
            if index < available { leftoverByte = raw[index] }
        }
        return written
    }

    /// Writes the UTF-8 for one UTF-16 code unit, holding a high surrogate for its partner.
    private mutating func emit(_ unit: UInt16, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var written = 0
        if let high = highSurrogate {
            highSurrogate = nil
            if (0xDC00...0xDFFF).contains(unit) {
                let scalar = 0x10000 + ((UInt32(high) - 0xD800) << 10) + (UInt32(unit) - 0xDC00)
                return TextEncoding.encodeUTF8(scalar, into: out)
            }
            noteWarning(.invalidUTF16)
            written += TextEncoding.encodeUTF8(0xFFFD, into: out)
        }
        switch unit {
        case 0xD800...0xDBFF:
            highSurrogate = unit
        case 0xDC00...0xDFFF:
            noteWarning(.invalidUTF16)
            written += TextEncoding.encodeUTF8(0xFFFD, into: out + written)
        default:
            written += TextEncoding.encodeUTF8(UInt32(unit), into: out + written)
        }
        return written
    }

    private mutating func noteWarning(_ code: CSVIssueCode) {
        if !warnings.contains(code) { warnings.append(code) }
    }
}
