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
    /// The first byte of the string's UTF-8, read in place (cheaper than `utf8.first`); nil when empty.
    var firstByte: UInt8? { utf8.withContiguousStorageIfAvailable { $0.first } ?? utf8.first }
}
