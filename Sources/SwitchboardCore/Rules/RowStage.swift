/// What every stage may consult about a row beyond the row itself.
public struct RowContext {
    /// The policy in force.
    public let policy: Policy
    /// The first pass's index of the whole file.
    public let index: FileIndex
    /// The directory as it stands before the file.
    public let directory: any DirectoryLookup
    /// The directory's profile for the row's username, if any.
    public private(set) var existing: DirectoryProfile?
    /// The action once an upsert is resolved: `add` when the profile does not exist yet, else `update`.
    public private(set) var effectiveAction: RowAction?

    /// Creates the context of `row`, resolving its upsert against the directory.
    public init(row: NormalizedRow, policy: Policy, index: FileIndex, directory: any DirectoryLookup) {
        self.init(policy: policy, index: index, directory: directory)
        move(to: row)
    }

    /// Creates a context for the rows of a run, before ``move(to:)`` gives it its first row.
    init(policy: Policy, index: FileIndex, directory: any DirectoryLookup) {
        self.policy = policy
        self.index = index
        self.directory = directory
    }

    /// Makes this the context of another row of the same run: one context serves a batch of
    /// rows, so the index and policy it holds are not copied (and counted) once a row.
    mutating func move(to row: NormalizedRow) {
        existing = row.usernameKey.flatMap { directory.profile(usernameKey: $0) }
        switch row.action {
        case .upsert?: effectiveAction = existing == nil ? .add : .update
        // Re-running an add that changes nothing is an update that finds nothing to do.
        case .add? where existing != nil && directory.isUnchanged(by: row): effectiveAction = .update
        default: effectiveAction = row.action
        }
    }

    /// Whether the row claims its extension, email and device (adds or updates the profile).
    public var claims: Bool { effectiveAction == .add || effectiveAction == .update }
}

/// One stage of validation: a small type that checks one concern of a normalized row.
///
/// Stages never stop at the first problem: each adds every finding it has, so a row
/// gets every reason at once. ``ValidationStages/all`` lists them in order.
public protocol RowStage: Sendable {
    /// Adds to `findings` every rule of this stage that `row` breaks.
    func check(_ row: NormalizedRow, context: RowContext, findings: inout FindingList)
}

/// The stages every row passes after its field checks, in order.
public enum ValidationStages {
    /// Every stage, in the order they run.
    public static let all: [any RowStage] = [
        RequiredFieldsStage(), FileUniquenessStage(), DirectoryStage(), VoicemailStage(), CredentialStage(),
    ]
}

/// Lists lines as people read them: `lines 3, 7 and 9`, at most ten, then how many more.
///
/// `lines` are in ascending order. Looks at no more than the first eleven of them (and finds
/// `line` among them by binary search), so a key repeated on a million rows costs each row the same.
func describeLines<Lines: RandomAccessCollection<Int>>(_ lines: Lines, excluding line: Int) -> String {
    let others = lines.count - (lines.sortedContains(line) ? 1 : 0)
    return describeLines(leading: lines.prefix(linesListedInMessages + 1), others: others, excluding: line)
}

/// How many other lines a duplicate's message names before it says how many more there are.
let linesListedInMessages = 10

/// Lists, as ``describeLines(_:excluding:)`` does, the lines of a run other than `line`, from
/// the run's `leading` lines (its first eleven, or all when fewer) and how many `others` it has.
func describeLines(leading: some Sequence<Int>, others total: Int, excluding line: Int) -> String {
    withUnsafeTemporaryAllocation(of: Int.self, capacity: linesListedInMessages) { shown -> String in
        var count = 0
        for other in leading where other != line {
            shown[count] = other
            count += 1
            if count == linesListedInMessages { break }
        }
        // Written as bytes into the String's own buffer: duplicates put this text on most rows of
        // some files, and appending Strings and numbers' descriptions cost 3,000 instructions a call.
        // At most "lines " + 10 numbers of 20 digits with their separators + " (and N more)".
        return String(unsafeUninitializedCapacity: 300) { buffer in
            var text = ByteWriter(buffer)
            text.put(count == 1 ? "line " : "lines ")
            for index in 0..<count {
                if index > 0 { text.put(index == count - 1 ? " and " : ", ") }
                text.put(shown[index])
            }
            if total > count {
                text.put(" (and ")
                text.put(total - count)
                text.put(" more)")
            }
            return text.end
        }
    }
}

/// Writes ASCII text and decimal numbers into a buffer that is large enough.
struct ByteWriter {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    /// How many bytes are written.
    private(set) var end = 0

    /// A writer at the start of `buffer`.
    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

    /// Writes `text`.
    mutating func put(_ text: StaticString) {
        let count = text.utf8CodeUnitCount
        precondition(end + count <= buffer.count, "the text does not fit")
        UnsafeMutableRawPointer(buffer.baseAddress! + end).copyMemory(from: text.utf8Start, byteCount: count)
        end += count
    }

    /// Writes `number` in decimal.
    mutating func put(_ number: Int) {
        precondition(end + 20 <= buffer.count, "the number may not fit")
        let start = end
        var rest = number.magnitude
        repeat {
            buffer[end] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
            end += 1
            rest /= 10
        } while rest > 0
        if number < 0 {
            buffer[end] = UInt8(ascii: "-")
            end += 1
        }
        buffer[start..<end].reverse()
    }
}

extension RandomAccessCollection where Element: Comparable {
    /// Whether the collection, which is in ascending order, holds `element`: a binary search.
    func sortedContains(_ element: Element) -> Bool {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = index(low, offsetBy: distance(from: low, to: high) / 2)
            if self[middle] < element { low = index(after: middle) } else { high = middle }
        }
        return low < endIndex && self[low] == element
    }
}
