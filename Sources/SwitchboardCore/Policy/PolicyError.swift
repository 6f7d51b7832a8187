/// Why a policy file cannot be used: what kind of problem, where, and a sentence for people.
///
/// `line` counts from 1 and is 0 for a problem with the file as a whole, such as a missing
/// file. The description reads `PATH:LINE: message`, or `PATH: message` when the line is 0.
public struct PolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable name for a kind of problem, so the command line can choose an exit code.
    ///
    /// `missingFile` maps to exit 66 (no input); `unreadable` to 66 or 74; every other kind
    /// is bad data in the file, exit 65. An open struct, not an enum, so new kinds break no caller.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The stable raw value, such as `unknown-key`.
        public let rawValue: String

        /// Creates a kind from its raw value.
        public init(rawValue: String) { self.rawValue = rawValue }

        public var description: String { rawValue }

        /// The file does not exist.
        public static let missingFile = Kind(rawValue: "missing-file")
        /// The file exists but cannot be read: a directory, no permission, or an I/O error.
        public static let unreadable = Kind(rawValue: "unreadable")
        /// The text is not the TOML this parser reads.
        public static let syntax = Kind(rawValue: "syntax")
        /// A table or key the policy does not have.
        public static let unknownKey = Kind(rawValue: "unknown-key")
        /// A value of the wrong type, such as a string where an integer belongs.
        public static let wrongType = Kind(rawValue: "wrong-type")
        /// A value outside its range, alone or against another key.
        public static let outOfRange = Kind(rawValue: "out-of-range")
        /// A key set twice in one table, or a table header written twice.
        public static let duplicateKey = Kind(rawValue: "duplicate-key")
    }

    /// What kind of problem this is.
    public var kind: Kind
    /// The policy file's path as given.
    public var path: String
    /// The line the problem is on, counted from 1; 0 when it is not about one line.
    public var line: Int
    /// A sentence for people; it names the table and key when there is one.
    public var message: String

    /// Creates an error.
    public init(kind: Kind, path: String, line: Int, message: String) {
        self.kind = kind
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        line > 0 ? "\(path):\(line): \(message)" : "\(path): \(message)"
    }
}
