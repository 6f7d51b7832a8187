import ArgumentParser
import SwitchboardCore
import SwitchboardStore

/// `switchboard show`: one profile and what it holds, or, without a username, a listing of the directory.
struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one profile and what it holds, or list the directory.",
        discussion: """
            Secrets are never shown: only whether one is stored (as a salted hash) and when it \
            was set. Exits 0, 1 when the username is not found, 66 when there is no database.
            """
    )

    @Argument(help: "The username (compared ignoring case). Without it, the directory is listed.")
    var username: String?

    @Option(help: "The database (default: $SWITCHBOARD_DB, else switchboard.sqlite in the working directory).")
    var db: String?

    @Option(help: "The most profiles a listing shows.")
    var limit = 50

    @Option(name: .customLong("em"), help: "Show the extension-mobility profile of this name (compared ignoring case).")
    var emProfile: String?

    func validate() throws {
        if username != nil && emProfile != nil { throw ValidationError("Give a username or --em NAME, not both.") }
    }

    func run() throws {
        let path = DatabaseOptions.path(db, onlyIfPresent: false)!
        let store = try DatabaseOptions.open(path, readOnly: true)
        var out = OutputStream.standardOutput()
        try DatabaseOptions.reportingFailures {
            if let emProfile {
                guard let details = try store.emProfileDetails(name: emProfile) else {
                    printError("switchboard: no extension-mobility profile named \(terminalSafe(emProfile)) in \(path)")
                    throw ExitCode.rowsRejected
                }
                try out.write(Self.text(details))
            } else if let username {
                guard let details = try store.details(username: username) else {
                    printError("switchboard: no profile named \(terminalSafe(username)) in \(path)")
                    throw ExitCode.rowsRejected
                }
                try out.write(Self.text(details))
            } else {
                let counts = try store.counts()
                var text = "\(path): \(counts.active) active and \(counts.disabled) disabled profiles, "
                text += "\(counts.extensions) extensions, \(counts.devices) devices, "
                text += "\(counts.emProfiles) extension-mobility profiles, \(counts.runs) import runs\n"
                for entry in try store.listing(limit: max(0, limit)) {
                    let status = entry.status == "active" ? "" : "  (\(entry.status))"
                    text += "  \(terminalSafe(entry.username))  \(terminalSafe(entry.extensionLabel))\(status)\n"
                }
                try out.write(text)
            }
            try out.flush()
        }
    }

    /// One extension-mobility profile: its name, then each field as the canonical columns name it.
    static func text(_ details: EMProfileDetails) -> String {
        var text = "\(details.record.name) (extension-mobility profile)\n"
        for (field, value) in details.record.fields { text += "  \(field): \(value)\n" }
        if details.record.users.isEmpty { text += "  users: none (audit.em-profile-unused)\n" }
        text += "  created \(details.createdAt)\(details.createdRunID.map { " by run \($0)" } ?? "")"
        text += details.updatedAt.map { ", updated \($0)" } ?? ""
        text += "\n"
        return text.split(separator: "\n").map { terminalSafe(String($0)) }.joined(separator: "\n") + "\n"
    }

    static func text(_ details: ProfileDetails) -> String {
        var text = "\(details.username) (\(details.type), \(details.status))\n"
        if let source = details.sourceProfile { text += "  added from: a \(source) file\n" }
        for (name, value) in details.fields { text += "  \(name): \(value)\n" }
        let mustChange = details.passwordMustChange ? ", must change: it breaks the policy" : ""
        text += "  portal_password: \(details.hasPassword ? "set (salted hash)\(mustChange)" : "none")\n"
        for line in details.extensions {
            text += "  extension: \(line.site.isEmpty ? line.number : "\(line.number)@\(line.site)")"
            if let phone = line.phoneNumber { text += ", phone \(phone)" }
            text += line.voicemail ? ", mailbox" : ", no mailbox"
            text += line.passcodeSetAt.map { ", passcode set \($0)" } ?? ", no passcode"
            if line.passcodeMustChange { text += " (must change: it breaks the policy)" }
            if line.isPrimary { text += ", primary" }
            if !line.sharedWith.isEmpty { text += ", shared with " + line.sharedWith.joined(separator: ", ") }
            text += "\n"
        }
        for device in details.devices { text += "  device: \(device)\n" }
        for em in details.emProfiles { text += "  em_profile: \(em)\n" }
        if details.passcodeHistory > 0 { text += "  earlier passcodes kept: \(details.passcodeHistory)\n" }
        text += "  created \(details.createdAt), updated \(details.updatedAt)\n"
        return text.split(separator: "\n").map { terminalSafe(String($0)) }.joined(separator: "\n") + "\n"
    }
}
