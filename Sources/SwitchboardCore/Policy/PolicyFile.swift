import SwitchboardCSV

/// Reads and writes the policy as TOML: `switchboard.toml`, `--policy FILE`, `switchboard policy`.
///
/// The parser is written by hand for the small part of TOML the policy needs: `[table]`
/// headers, `key = value` lines with integers, booleans, "basic" and 'literal' strings,
/// and `#` comments. It stops at the first problem and names its line. Keys left out keep
/// their defaults, so an empty file is the default policy.
///
/// ```swift
/// let policy = try PolicyFile.parse("[passcode]\nmin_length = 8\n", path: "switchboard.toml")
/// print(PolicyFile.render(policy))  // every key, with a comment line each
/// ```
public enum PolicyFile {
    /// The largest policy file `load(path:)` reads; anything bigger is not a policy file.
    public static let maxFileBytes = 1 << 20

    /// Parses policy TOML, filling in defaults; `path` is only used in errors.
    public static func parse(_ text: String, path: String) throws(PolicyError) -> Policy {
        var parser = PolicyParser(path: path)
        return try parser.parse(text)
    }

    /// Reads and parses the policy file at `path`; `-` reads standard input.
    ///
    /// A file that does not exist throws ``PolicyError/Kind-swift.struct/missingFile``; one that
    /// cannot be read, ``PolicyError/Kind-swift.struct/unreadable``; bytes that are not UTF-8,
    /// a syntax error on their line.
    public static func load(path: String) throws(PolicyError) -> Policy {
        let bytes = try readFile(path)
        var lineStart = 0
        var lineNumber = 1
        for index in bytes.indices where bytes[index] == 0x0A || index == bytes.count - 1 {
            let end = bytes[index] == 0x0A ? index : index + 1
            if String(validating: bytes[lineStart..<end], as: UTF8.self) == nil {
                throw PolicyError(kind: .syntax, path: path, line: lineNumber, message: "the line is not valid UTF-8")
            }
            lineStart = index + 1
            lineNumber += 1
        }
        return try parse(String(decoding: bytes, as: UTF8.self), path: path)
    }

    /// Writes `policy` as a complete TOML file: every table and key, each after a comment line.
    ///
    /// The tables come in the order of the default file (extension, voicemail, passcode,
    /// password, profile), so `switchboard policy` prints a file that reads back to `policy`.
    public static func render(_ policy: Policy) -> String {
        var text = "# Switchboard policy: every key with its value. A key left out takes its default.\n"
        for table in PolicySchema.tables {
            text += "\n[\(table.name)]\n"
            for key in table.keys {
                text += "# \(key.comment)\n\(key.name) = \(key.get(policy).toml)\n"
            }
        }
        return text
    }

    private static func readFile(_ path: String) throws(PolicyError) -> [UInt8] {
        let source: FileByteSource
        do {
            source = try FileByteSource(path: path)
        } catch {
            throw ioError(error, path: path)
        }
        var bytes: [UInt8] = []
        let capacity = 64 * 1024
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        while true {
            let count: Int
            do {
                count = try source.read(into: buffer, capacity: capacity)
            } catch let error as CSVIOError {
                throw ioError(error, path: path)
            } catch {
                throw PolicyError(kind: .unreadable, path: path, line: 0, message: "cannot read: \(error)")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: count))
            if bytes.count > maxFileBytes {
                throw PolicyError(
                    kind: .syntax, path: path, line: 0,
                    message: "the file is larger than \(maxFileBytes) bytes; it is not a policy file")
            }
        }
    }

    private static func ioError(_ error: CSVIOError, path: String) -> PolicyError {
        if error.isMissingFile {
            return PolicyError(kind: .missingFile, path: path, line: 0, message: "no such policy file")
        }
        let reason = error.description.dropFirst(error.path.count + 2)
        return PolicyError(kind: .unreadable, path: path, line: 0, message: String(reason))
    }
}
