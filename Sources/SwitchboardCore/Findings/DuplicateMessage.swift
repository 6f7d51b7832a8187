/// The message of a duplicate in the file, kept as its parts and written out only when read.
///
/// Some files put a duplicate finding on most of their rows (three on each row of a generated
/// million-row file); writing each message out where it is found took an allocation and about a
/// tenth of validation's time, for a text that a sink which only counts never reads. A report
/// writes it straight into its own text (``ByteWriter/put(_:)-(DuplicateMessage)``).
struct DuplicateMessage: Sendable, Equatable {
    /// What is claimed twice.
    enum Subject: Sendable, Equatable {
        /// A site's extension: `extension 4021@paris is also claimed on lines 3 and 9`.
        case extensionNumber(String, site: String)
        /// The extension, with its site, of a row that has one; its text is written from the row
        /// when the message is (most of a file's duplicate messages are never written out).
        case extensionOf(NormalizedRow)
        /// A profile on more rows than the policy allows.
        case profile(rows: Int, limit: Int)
        /// An email of two user profiles.
        case email
        /// A notification email that other profiles share, which their system allows.
        case sharedEmail
        /// A phone number (DID): `phone number +14155550123 is also claimed on line 4`.
        case phone(String)
        /// A device: `device SEP1 is also claimed on line 4`.
        case device(String)
        /// The device of a row that names one, written from the row when the message is.
        case deviceOf(NormalizedRow)

        /// The subject with the texts a row holds made Strings: what two subjects are compared by.
        private var written: Written {
            switch self {
            case .extensionNumber(let number, let site): .extensionNumber(number, site: site)
            case .extensionOf(let row): .extensionNumber(row.extensionNumber ?? "", site: row.site)
            case .profile(let rows, let limit): .profile(rows: rows, limit: limit)
            case .email: .email
            case .sharedEmail: .sharedEmail
            case .phone(let number): .phone(number)
            case .device(let name): .device(name)
            case .deviceOf(let row): .device(row.deviceName ?? "")
            }
        }

        /// A subject's texts, as Strings.
        private enum Written: Equatable {
            case extensionNumber(String, site: String)
            case profile(rows: Int, limit: Int)
            case email
            case sharedEmail
            case phone(String)
            case device(String)
        }

        static func == (left: Subject, right: Subject) -> Bool { left.written == right.written }
    }

    /// What is claimed twice.
    let subject: Subject
    /// The other lines that claim it.
    let others: OtherLinesOfKey

    /// The bytes the message may take: its words, the values it names and its lines.
    var capacity: Int {
        let values: Int
        switch subject {
        case .extensionNumber(let number, let site): values = number.utf8.count + site.utf8.count
        case .extensionOf(let row): values = row.byteCount(of: .extensionNumber) + row.byteCount(of: .site)
        case .device(let name), .phone(let name): values = name.utf8.count
        case .deviceOf(let row): values = row.byteCount(of: .deviceName)
        case .profile, .email, .sharedEmail: values = 0
        }
        return ByteWriter.wordsCapacity + ByteWriter.linesCapacity + values
    }

    /// The message written out.
    var text: String { String(capacity: capacity) { $0.put(self) } }
}

/// The lines of a key's other rows, as a duplicate's message names them: the first ten
/// (``linesListedInMessages``), ascending, and how many there are in all.
struct OtherLinesOfKey: Sendable, Equatable {
    /// The first lines, in the first `shownCount` places.
    private var shown: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    /// How many of `shown` are lines.
    private(set) var shownCount = 0
    /// How many other lines there are.
    let total: Int

    /// The lines of `lines` other than `line`, which is one of them.
    init(_ lines: KeyRunSummary, excluding line: Int) {
        self = lines.withLeading { OtherLinesOfKey(count: lines.count, leading: $0, excluding: line) }
    }

    /// The lines other than `line` of a key on `count` rows, one of them `line`, whose first lines
    /// (at most ``RunsByLine/leadingLines``, ascending) are `leading`.
    init(count: Int, leading: UnsafeBufferPointer<UInt32>, excluding line: Int) {
        total = count - 1
        shownCount = withUnsafeMutableBytes(of: &shown) { raw in
            let slots = raw.bindMemory(to: UInt32.self)
            var count = 0
            for other in leading where Int(other) != line {
                slots[count] = other
                count += 1
                if count == linesListedInMessages { break }
            }
            return count
        }
    }

    /// Calls `body` with the lines shown, ascending.
    func withLines<Result>(_ body: (UnsafeBufferPointer<UInt32>) -> Result) -> Result {
        withUnsafeBytes(of: shown) { raw in
            body(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt32.self)[..<shownCount]))
        }
    }

    static func == (left: OtherLinesOfKey, right: OtherLinesOfKey) -> Bool {
        left.total == right.total && left.withLines { leftLines in right.withLines { leftLines.elementsEqual($0) } }
    }
}

extension ByteWriter {
    /// Writes a duplicate's message.
    mutating func put(_ message: DuplicateMessage) {
        switch message.subject {
        case .extensionNumber(let number, let site):
            put("extension ")
            put(extensionOf: number, site: site)
            put(" is also claimed on ")
        case .extensionOf(let row):
            put("extension ")
            put(extensionOf: row)
            put(" is also claimed on ")
        case .profile(let rows, let limit):
            put("the same profile is on ")
            put(rows)
            put(" rows, more than max_extensions (")
            put(limit)
            put(") allows; see ")
        case .email:
            put("another user profile has this email on ")
        case .sharedEmail:
            put("this email is only where notifications go, and other profiles share it (allowed): see ")
        case .phone(let number):
            put("phone number ")
            put(contentsOf: number)
            put(" is also claimed on ")
        case .device(let name):
            put("device ")
            put(contentsOf: name)
            put(" is also claimed on ")
        case .deviceOf(let row):
            put("device ")
            row.withBytes(of: .deviceName) { put(contentsOf: $0) }
            put(" is also claimed on ")
        }
        put(message.others)
    }

    /// Writes the other lines as people read them: `line 4`, `lines 3, 7 and 9`, then how many more.
    mutating func put(_ others: OtherLinesOfKey) {
        // The row's own line is already left out, and no line is 0: nothing more is excluded.
        others.withLines { lines in put(lines: lines.lazy.map(Int.init), others: others.total, excluding: 0) }
    }
}

extension Finding {
    /// The bytes the message may take.
    var messageCapacity: Int {
        switch text {
        case .written(let message): message.utf8.count
        case .duplicate(let duplicate): duplicate.capacity
        }
    }
}

extension ByteWriter {
    /// Writes a finding's message, however it is kept.
    mutating func put(messageOf finding: Finding) {
        switch finding.text {
        case .written(let message): put(contentsOf: message)
        case .duplicate(let duplicate): put(duplicate)
        }
    }
}
