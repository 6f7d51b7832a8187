/// A problem with a file as a whole: nothing in it can be validated (exit 65).
public struct FileValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stable code of the problem.
    public var code: RuleCode
    /// The line it is on, counted from 1; 0 when it concerns no one line.
    public var line: Int
    /// A sentence for people.
    public var message: String

    /// Creates an error.
    public init(code: RuleCode, line: Int, message: String) {
        self.code = code
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(code.rawValue): \(message)" }
}

/// The input changed while it was validated (exit 74).
///
/// Read again, it no longer has the records the first pass found where it found them, so
/// nothing of the run can be trusted.
public struct InputChangedError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The line near which the change showed; 0 when it showed in the file's size or time.
    public var line: Int

    /// Creates an error noticed near `line`.
    public init(line: Int) { self.line = line }

    public var description: String {
        let near = line > 0 ? " (noticed near line \(line))" : ""
        return "the file changed while it was being read\(near); run again once nothing writes to it"
    }
}
