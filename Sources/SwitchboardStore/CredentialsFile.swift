import Foundation
import SwitchboardCSV
import SwitchboardCore

/// The file that receives generated credentials, once: `username,extension,voicemail_passcode,portal_password`.
///
/// It is written to a private temporary file beside its path (mode 0600) while the import
/// runs, and moved into place only when the import commits; a rolled-back, rejected or dry
/// run leaves no file. The values go nowhere else: the database gets their hashes.
final class CredentialsFile {
    /// Where the file goes.
    let path: String
    private let partialPath: String
    private var writer: CSVWriter<FileByteSink>?
    /// How many profiles got generated credentials.
    private(set) var count = 0

    init(path: String) {
        self.path = path
        partialPath = path + ".partial"
    }

    /// Adds one profile's generated values (nil for one not generated).
    func add(username: String, extensionLabel: String, passcode: String?, password: String?) throws {
        if writer == nil {
            unlink(partialPath)
            let sink = try FileByteSink(path: partialPath, mode: 0o600)
            writer = CSVWriter(sink: sink, formulaGuard: FormulaGuard(freeTextColumns: [0]))
            try writer!.write(["username", "extension", "voicemail_passcode", "portal_password"])
        }
        try writer!.write([username, extensionLabel, passcode ?? "", password ?? ""])
        count += 1
    }

    /// Moves the file into place: the import committed.
    func commit() throws {
        guard var writer else { return }
        try writer.flush()
        self.writer = nil
        if rename(partialPath, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(partialPath)
            throw StoreError(kind: .io, path: path, message: "\(path): cannot write the credentials file: \(reason)")
        }
    }

    /// Removes the file: nothing was committed, so the values were never set.
    func discard() {
        if var writer { try? writer.flush() }
        writer = nil
        unlink(partialPath)
    }
}
