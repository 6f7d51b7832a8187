/// The hash a ``FileIndex`` keeps a key by: one function over the UTF-8 bytes of an ASCII key,
/// which the first pass computes from a record's bytes and the second from a key `String`, and
/// Swift's `Hasher` for other keys, which hashes canonically equivalent text alike.
///
/// The byte hash folds ASCII letters to lower case as it reads, so the first pass need not
/// fold a key before hashing it; keys are folded already in the second.
enum KeyHash {
    /// A seed drawn once per process from `Hasher`'s random one, so that no file can collide on purpose.
    static let seed: UInt64 = {
        var hasher = Hasher()
        hasher.combine(0x5357_4254_4348_4b59 as UInt64)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }()

    /// The hash of an ASCII key, its letters folded to lower case; nil when a byte is not ASCII.
    static func ascii(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = bytes.count
        var hash = seed ^ (UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15)
        var seen: UInt64 = 0
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            var offset = 0
            while offset + 8 <= count {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                seen |= word
                hash = mix(hash, lowercased(word))
                offset += 8
            }
            if offset < count {
                // The last one to seven bytes, low byte first, the rest zero.
                var word: UInt64 = 0
                if count >= 8 {
                    let last = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
                    word = last >> (8 * (8 - (count - offset)))
                } else {
                    withUnsafeMutableBytes(of: &word) { $0.copyMemory(from: UnsafeRawBufferPointer(bytes)) }
                    word = UInt64(littleEndian: word)
                }
                seen |= word
                hash = mix(hash, lowercased(word))
            }
        }
        guard seen & 0x8080_8080_8080_8080 == 0 else { return nil }
        // The finalizer of MurmurHash3: every bit of the state reaches every bit of the hash.
        hash = (hash ^ (hash >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        hash = (hash ^ (hash >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return Int(truncatingIfNeeded: hash ^ (hash >> 33))
    }

    /// The state after one more word: the two halves of a 128-bit product, folded.
    @inline(__always) private static func mix(_ hash: UInt64, _ word: UInt64) -> UInt64 {
        let product = (hash ^ word).multipliedFullWidth(by: 0xA076_1D64_78BD_642F)
        return product.high ^ product.low
    }

    /// Eight ASCII bytes with `A` to `Z` turned into `a` to `z`, all at once.
    @inline(__always) private static func lowercased(_ word: UInt64) -> UInt64 {
        word | (ASCIIWords.capitals(in: word) >> 2)
    }

    /// The characters that are canonically equivalent to an ASCII one, so that a key holding them
    /// equals an ASCII key: KELVIN SIGN (`K`), GREEK QUESTION MARK (`;`) and GREEK VARIA (`` ` ``).
    private static let asciiEquivalents: [Unicode.Scalar: UInt8] = [
        "\u{212A}": UInt8(ascii: "K"), "\u{037E}": UInt8(ascii: ";"), "\u{1FEF}": UInt8(ascii: "`"),
    ]

    /// The hash ``of(_:)`` gives the text whose UTF-8 is `bytes`, when it is not ASCII and holds
    /// no scalar from U+0300 on (no byte from 0xCC on); nil for other text.
    ///
    /// Such text holds no combining mark and is in NFC already: `Hasher` gets its bytes as
    /// `String.hash(into:)` gives them, without normalizing (a test checks that this equals the
    /// String's own hash).
    static func latin(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.contains(where: { $0 >= 0xCC }) else { return nil }
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        hasher.combine(0xFF as UInt8)
        return hasher.finalize()
    }

    /// Writes the UTF-8 `bytes` folded as ``NormalizedRow/fold(_:)`` folds Latin text to
    /// `folded`, which has room for as many bytes; false, with `folded` half written, when a
    /// scalar is beyond U+017F or is U+0130 (text that `fold` lower-cases another way).
    ///
    /// Every scalar it folds keeps its UTF-8 length: the fold has as many bytes as the text.
    static func foldLatin(_ bytes: UnsafeBufferPointer<UInt8>, into folded: UnsafeMutablePointer<UInt8>) -> Bool {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                folded[index] = (byte &- 0x41) < 26 ? byte | 0x20 : byte
                index += 1
                continue
            }
            // U+0080 to U+017F: lead bytes C2 to C5, then one continuation byte.
            guard byte >= 0xC2 && byte <= 0xC5, index + 1 < bytes.count else { return false }
            let scalar = UInt32(byte & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
            guard let lower = Unicode.Scalar(scalar).flatMap(NormalizedRow.latinLowercase), lower >= 0x80 else {
                return false
            }
            folded[index] = UInt8(0xC0 | lower >> 6)
            folded[index + 1] = UInt8(0x80 | lower & 0x3F)
            index += 2
        }
        return true
    }

    /// The hash of `key`: the byte hash when it is ASCII or equivalent to ASCII text, else `Hasher`'s.
    static func of(_ key: String) -> Int {
        var key = key
        if let hash = key.withUTF8(ascii) { return hash }
        if let latin = key.withUTF8(latin) { return latin }
        let scalars = key.unicodeScalars
        if scalars.allSatisfy({ $0.isASCII || asciiEquivalents[$0] != nil }) {
            let bytes = scalars.map { asciiEquivalents[$0] ?? UInt8($0.value) }
            return bytes.withUnsafeBufferPointer { ascii($0)! }
        }
        var hasher = Hasher()
        hasher.combine(key)
        return hasher.finalize()
    }
}
