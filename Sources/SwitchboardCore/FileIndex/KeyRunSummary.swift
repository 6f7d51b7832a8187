/// The rows of a file that share one key, as the second pass needs them: how many, and the
/// first eleven lines, enough for a message.
///
/// The lines are copied out of the index, not referred to: a reference would be counted on the
/// index's one pool by every core that checks rows at once, each count a write to the same memory.
public struct KeyRunSummary: Sendable {
    /// How many rows share the key.
    public let count: Int
    /// The extra the index keeps with the key's entries (a profile's effects, for a username).
    let extra: UInt32
    /// The first lines, in the first `leadingCount` places.
    private var leadingStorage:
        (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    /// How many of `leadingStorage` are lines.
    private var leadingCount = 0

    /// Creates the lines of a key on `count` rows, with the first of them (at most ``RunsByLine/leadingLines``).
    init(count: Int, extra: UInt32, leading: some Collection<UInt32>) {
        self.count = count
        self.extra = extra
        withUnsafeMutableBytes(of: &leadingStorage) { raw in
            let slots = raw.bindMemory(to: UInt32.self)
            for (position, line) in zip(slots.indices, leading) { slots[position] = line }
            leadingCount = min(leading.count, slots.count)
        }
    }

    /// Calls `body` with the first lines of the rows, ascending.
    func withLeading<Result>(_ body: (UnsafeBufferPointer<UInt32>) -> Result) -> Result {
        withUnsafeBytes(of: leadingStorage) { raw in
            body(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt32.self)[..<leadingCount]))
        }
    }

    /// The first lines of the rows, ascending: all of them, or the first eleven.
    public var leadingLines: [Int] { withLeading { $0.map(Int.init) } }
}
