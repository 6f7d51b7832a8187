import Foundation
import SwitchboardCSV
import SwitchboardCore

/// The file that receives generated credentials, once: `username,extension,voicemail_passcode,portal_password`.
///
/// It is written to a new private file beside its path (mode 0600) while the import runs, and
/// moved into place only when the import commits; a rolled-back, rejected or dry run leaves
/// no file. It never replaces a file: when its path is taken (the credentials of an earlier
/// run, which exist nowhere else), it goes to the first free `NAME-2.csv`, `NAME-3.csv`, ...
/// and ``path`` says where. The values go nowhere else: the database gets their hashes.
final class CredentialsFile {
    /// Where the file goes: the path asked for, or after ``commit()`` the one it went to.
    private(set) var path: String
    private var file: OutputFile?
    private var writer: CSVWriter<FileByteSink>?
    /// How many profiles got generated credentials.
    private(set) var count = 0

    init(path: String) {
        self.path = path
    }

    /// Adds one profile's generated values (nil for one not generated).
    func add(username: String, extensionLabel: String, passcode: String?, password: String?) throws {
        if writer == nil {
            let file = try OutputFile(path: path, mode: 0o600)
            self.file = file
            writer = CSVWriter(sink: file.sink, formulaGuard: FormulaGuard(freeTextColumns: [0]))
            try writer!.write(["username", "extension", "voicemail_passcode", "portal_password"])
        }
        try writer!.write([username, extensionLabel, passcode ?? "", password ?? ""])
        count += 1
    }

    /// Moves the file into place without replacing any file: the import committed.
    func commit() throws {
        guard var writer, let file else { return }
        try writer.flush()
        self.writer = nil
        do {
            for attempt in 1...1000 {
                let candidate = attempt == 1 ? path : Self.numbered(path, attempt)
                if try file.commitIfAbsent(at: candidate, durable: true) {
                    path = candidate
                    self.file = nil
                    return
                }
            }
            throw CSVIOError(path: path, operation: "find a free name for", errno: EEXIST)
        } catch let error as CSVIOError {
            file.discard()
            throw StoreError(kind: .io, path: path, message: "\(path): cannot write the credentials file: \(error)")
        }
    }

    /// `NAME-N.EXT` for `NAME.EXT` (`NAME-N` without an extension).
    static func numbered(_ path: String, _ number: Int) -> String {
        let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        guard let dot = path[slash...].lastIndex(of: "."), dot > slash else { return path + "-\(number)" }
        return String(path[..<dot]) + "-\(number)" + String(path[dot...])
    }

    /// Removes the file: nothing was committed, so the values were never set.
    func discard() {
        writer = nil
        file?.discard()
        file = nil
    }
}
