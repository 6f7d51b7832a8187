import SwitchboardStore

/// Prints a dry run's plan on stdout as the apply produces it, one row at a time, so a
/// million-row plan never sits in memory.
///
/// Text: a line per row, `line N: ACTION USERNAME[: field: old -> new; ...]`. JSON: the
/// opening of the one summary object, `{"plan": [...]`, to which ``finish(with:)`` adds
/// the other keys.
final class PlanPrinter {
    private let json: Bool
    /// The JSON key of the entry's subject: `username`, or `em_profile` for an extension-mobility profiles file.
    var subjectKey = "username"
    private var out = OutputStream.standardOutput()
    private var started = false

    init(json: Bool) { self.json = json }

    /// Prints one row's entry.
    func print(_ entry: PlanEntry) {
        begin()
        if json {
            var object = JSONObject()
            object.add("line", entry.line)
            object.add("action", entry.action)
            object.add(subjectKey, entry.username)
            object.add(
                "changes", pairs: entry.changes.map { ($0.field, [$0.old, $0.new]) })
            if !entry.codes.isEmpty { object.add("codes", strings: entry.codes) }
            try? out.write(object.text)
        } else {
            var text = "  line \(entry.line): \(Self.verb(entry.action)) \(entry.username)"
            if !entry.codes.isEmpty { text += ": " + entry.codes.joined(separator: ", ") }
            if !entry.changes.isEmpty {
                text +=
                    ": "
                    + entry.changes.map { change in
                        change.old == nil && change.new == "changed" && Self.isSecret(change.field)
                            ? "\(change.field): changed"
                            : "\(change.field): \(change.old ?? "(none)") -> \(change.new ?? "(none)")"
                    }.joined(separator: "; ")
            }
            try? out.write(terminalSafe(text) + "\n")
        }
        first = false
    }

    private var first = true

    private func begin() {
        guard !started else {
            if json && !first { try? out.write(", ") }
            return
        }
        started = true
        try? out.write(json ? "{\"plan\": [" : "Plan:\n")
    }

    /// Ends the plan: the JSON object's other keys and its close, or a blank line after the text.
    func finish(with summary: JSONObject? = nil) {
        if json {
            if !started {
                started = true
                try? out.write("{\"plan\": [")
            }
            let rest = summary?.membersText ?? ""
            try? out.write("]" + (rest.isEmpty ? "" : ", " + rest) + "}\n")
        } else if started {
            try? out.write("\n")
        }
        try? out.flush()
    }

    static func verb(_ action: String) -> String {
        switch action {
        case "added": "add"
        case "updated": "update"
        case "disabled": "disable"
        case "enabled": "enable"
        case "deleted": "delete"
        case "rejected": "reject"
        default: action
        }
    }

    static func isSecret(_ field: String) -> Bool { field == "voicemail_passcode" || field == "portal_password" }
}
