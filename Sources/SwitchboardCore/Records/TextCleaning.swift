extension String {
    /// The string without surrounding whitespace, Unicode's whitespace included, as a view.
    var trimmedWhitespace: Substring {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return Substring(scalars[first...last])
    }

    /// The string without surrounding whitespace.
    public var trimmingWhitespace: String { String(trimmedWhitespace) }

    /// The string with every `target` character replaced.
    func replacing(_ target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}

extension String {
    /// The pieces one after another, written into one allocation: cheaper than interpolation or
    /// appending for a message made on most rows of a file.
    init(joining pieces: String...) {
        var count = 0
        for piece in pieces { count += piece.utf8.count }
        self.init(unsafeUninitializedCapacity: count) { buffer in
            var end = 0
            for var piece in pieces {
                piece.withUTF8 { bytes in
                    guard let base = bytes.baseAddress else { return }
                    UnsafeMutableRawPointer(buffer.baseAddress! + end).copyMemory(from: base, byteCount: bytes.count)
                    end += bytes.count
                }
            }
            return end
        }
    }
}
