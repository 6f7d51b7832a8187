/// Checks UTF-8 and reads Windows-1252, the two halves of the reader's encoding fallback.
enum TextEncoding {
    /// Whether `bytes` are all ASCII, checked eight at a time.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var index = 0
        let raw = UnsafeRawPointer(base)
        while index + 8 <= count {
            if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 {
                return false
            }
            index += 8
        }
        while index < count {
            if base[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }

    /// Whether every field of a record is well-formed UTF-8 on its own.
    ///
    /// The common all-ASCII record is settled in one pass eight bytes at a time; otherwise
    /// each field is checked alone, so a sequence split across two fields is caught.
    static func isValidUTF8(
        bytes: UnsafeMutablePointer<UInt8>, ends: UnsafeMutablePointer<Int>, fieldCount: Int, byteCount: Int
    ) -> Bool {
        if isASCII(UnsafeBufferPointer(start: bytes, count: byteCount)) { return true }
        var start = 0
        for index in 0..<fieldCount {
            let end = ends[index]
            if !isValidUTF8(UnsafeBufferPointer(start: bytes + start, count: end - start)) { return false }
            start = end
        }
        return true
    }

    /// Whether `bytes` are well-formed UTF-8: no overlong forms, surrogates or values past U+10FFFF.
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        return validPrefix(base, count: bytes.count) == bytes.count
    }

    /// How many leading bytes are well-formed UTF-8 ending on a character boundary.
    ///
    /// Returns `count` when all are; otherwise the offset where a bad or unfinished
    /// sequence starts. ASCII goes eight bytes at a time.
    static func validPrefix(_ base: UnsafePointer<UInt8>, count: Int) -> Int {
        let raw = UnsafeRawPointer(base)
        var index = 0
        while index < count {
            if index + 8 <= count
                && raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
            {
                index += 8
                continue
            }
            let lead = base[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return index
            }
            guard index + length <= count else { return index }
            let second = base[index + 1]
            guard second >= lower && second <= upper else { return index }
            for offset in 2..<max(2, length) where base[index + offset] & 0xC0 != 0x80 {
                return index
            }
            index += length
        }
        return index
    }

    /// The Unicode scalars of Windows-1252 bytes 0x80 to 0x9F; the five unassigned bytes
    /// map to the C1 controls of the same value, as the WHATWG encoding standard does.
    private static let highControls: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    /// Appends `bytes`, read as Windows-1252, to `output` as UTF-8.
    static func appendWindows1252(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        var scratch: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        for byte in bytes {
            if byte < 0x80 {
                output.append(byte)
                continue
            }
            let scalar = byte < 0xA0 ? highControls[Int(byte - 0x80)] : UInt32(byte)
            let count = withUnsafeMutableBytes(of: &scratch) { raw in
                encodeUTF8(
                    scalar, into: raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            withUnsafeBytes(of: &scratch) { output.append(contentsOf: $0.prefix(count)) }
        }
    }

    /// Writes one Unicode scalar as UTF-8 and returns the byte count.
    static func encodeUTF8(_ scalar: UInt32, into out: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            out[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            out[0] = UInt8(0xC0 | scalar >> 6)
            out[1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case 0x800..<0x10000:
            out[0] = UInt8(0xE0 | scalar >> 12)
            out[1] = UInt8(0x80 | (scalar >> 6) & 0x3F)
            out[2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            out[0] = UInt8(0xF0 | scalar >> 18)
            out[1] = UInt8(0x80 | (scalar >> 12) & 0x3F)
            out[2] = UInt8(0x80 | (scalar >> 6) & 0x3F)
            out[3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }
}
