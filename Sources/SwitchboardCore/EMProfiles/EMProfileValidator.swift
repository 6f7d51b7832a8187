/// The questions the extension-mobility profile rules ask of the existing directory.
///
/// The store answers them from SQLite; tests answer them from memory.
public protocol EMProfileDirectory {
    /// The stored profile whose name folds to `nameKey`, or nil.
    func emProfile(nameKey: String) throws -> EMProfileRecord?
    /// Whether a device's name folds to `nameKey`.
    func hasDevice(nameKey: String) throws -> Bool
    /// The stored spelling of the username that folds to `key`, or nil when there is none.
    func username(key: String) throws -> String?
    /// The stored site of the extension `number` on the site `siteKey`; with no site given, of
    /// the extension on no site, else of the one extension with that number. Nil when none.
    func lineSite(number: String, siteKey: String?) throws -> String?
}

/// What an accepted row does to its extension-mobility profile.
public enum EMChange: String, Sendable {
    case added, updated, deleted, unchanged
}

/// One row's verdict: its findings and, when accepted, the profile before and after it.
public struct EMRowOutcome: Sendable {
    /// The line where the row starts.
    public var line: Int
    /// The row's cells as the file holds them.
    public var cells: [String]
    /// Every finding of the row.
    public var findings: [Finding]
    /// The profile's name as stored, else as the row gives it; nil when the row has none.
    public var name: String?
    /// What the row does; nil for a rejected or blank row.
    public var change: EMChange?
    /// The stored profile before the row, and the profile after it (nil once deleted).
    public var before: EMProfileRecord?
    public var after: EMProfileRecord?
    /// Whether every cell is blank: skipped, neither accepted nor rejected.
    public var isBlank = false

    /// Whether the row goes through: it has no error.
    public var isAccepted: Bool { !findings.contains { $0.severity == .error } }
}

/// Checks the rows of an extension-mobility profiles file against each other and the directory.
///
/// Every row gets all of its findings. Rules, each with its code in docs/rules.md: the name is
/// needed and unique in the file (`em-profile.duplicate-in-file`); an add of a stored profile that
/// would change it is `em-profile.exists`, an update or delete of a missing one
/// `em-profile.not-found`; the name is read-only (`em-profile.rename-forbidden`) and is never a
/// device's (`em-profile.device-name-conflict`); users and lines must exist
/// (`em-profile.user-not-found`, `em-profile.line-not-found`); speed dial numbers and busy lamp
/// field destinations are digits or E.164; a service URL is http or https. A blank cell keeps the
/// stored value; `REMOVE` clears it.
public struct EMProfileValidator {
    /// The existing directory.
    public let directory: any EMProfileDirectory

    /// Creates a validator against `directory`.
    public init(directory: any EMProfileDirectory) {
        self.directory = directory
    }

    /// Validates every row, in file order.
    public func validate(_ rows: [EMProfileRow], header: EMHeader) throws -> [EMRowOutcome] {
        // Lines of each name, for em-profile.duplicate-in-file.
        var linesByKey: [String: [Int]] = [:]
        for row in rows where row.findings.isEmpty && !row.isBlank {
            if case .set(let name) = row[.name] { linesByKey[NormalizedRow.fold(name), default: []].append(row.line) }
        }
        return try rows.map { try validate($0, header: header, linesByKey: linesByKey) }
    }

    private func validate(_ row: EMProfileRow, header: EMHeader, linesByKey: [String: [Int]]) throws -> EMRowOutcome {
        var outcome = EMRowOutcome(line: row.line, cells: row.cells, findings: row.findings)
        if !row.findings.isEmpty { return outcome }
        if row.isBlank {
            outcome.isBlank = true
            outcome.findings.append(
                Finding(
                    code: .blankRow, severity: .warning, line: row.line, field: "",
                    message: "every cell of the row is blank; it is skipped"))
            return outcome
        }
        var check = RowCheck(row: row, header: header)
        var action = EMAction.upsert
        switch row[.action] {
        case .keep: break
        case .clear: check.error(.actionInvalid, .action, "REMOVE is no action; use add, update, upsert or delete")
        case .set(let text):
            if let chosen = EMAction(rawValue: text.lowercased()) {
                action = chosen
            } else {
                check.error(.actionInvalid, .action, "the action is not add, update, upsert or delete")
            }
        }
        guard case .set(let name) = row[.name] else {
            check.error(.fieldRequired, .name, "every row needs the extension-mobility profile's name")
            outcome.findings += check.findings
            return outcome
        }
        outcome.name = name
        check.controlCharacters(name, .name)
        let key = NormalizedRow.fold(name)
        if let lines = linesByKey[key], lines.count > 1 {
            let others = lines.filter { $0 != row.line }.map(String.init).joined(separator: ", ")
            check.error(
                .emProfileDuplicateInFile, .name,
                "the extension-mobility profile is named on line\(lines.count > 2 ? "s" : "") \(others) too; name each profile on one row"
            )
        }
        let stored = try directory.emProfile(nameKey: key)
        outcome.before = stored
        if let stored { outcome.name = stored.name }
        if stored == nil && (action == .update || action == .delete) {
            check.error(.emProfileNotFound, .name, "there is no extension-mobility profile of this name to \(action)")
        }
        if action == .delete {
            outcome.findings += check.findings
            if outcome.isAccepted, let stored {
                outcome.change = .deleted
                outcome.after = nil
                outcome.before = stored
            }
            return outcome
        }
        if let stored, stored.name != name {
            check.error(
                .emProfileRenameForbidden, .name,
                "the name is read-only once created: it is stored as \(stored.name), spelled otherwise here")
        }
        if try directory.hasDevice(nameKey: key) {
            check.error(
                .emProfileDeviceNameConflict, .name,
                "a device has this name; an extension-mobility profile may not be named like a device")
        }
        let merged = try merge(row, onto: stored ?? EMProfileRecord(name: name), check: &check)
        if action == .add, let stored, merged != stored {
            check.error(
                .emProfileExists, .name,
                "the extension-mobility profile exists and the row would change it; use update or upsert")
        }
        outcome.findings += check.findings
        guard outcome.isAccepted else { return outcome }
        outcome.after = merged
        outcome.change = stored == nil ? .added : merged == stored ? .unchanged : .updated
        return outcome
    }

    /// The profile once the row's cells are applied over `base`, every cell checked on the way.
    private func merge(_ row: EMProfileRow, onto base: EMProfileRecord, check: inout RowCheck) throws
        -> EMProfileRecord
    {
        var result = base
        let description = row[.description]
        if case .set(let text) = description { check.controlCharacters(text, .description) }
        result.description = description.applied(to: base.description)
        switch row[.users] {
        case .keep: break
        case .clear: result.users = []
        case .set(let text):
            var users: [String: String] = [:]
            for part in text.split(separator: ";") {
                let username = String(part).trimmingWhitespace
                if username.isEmpty { continue }
                let key = NormalizedRow.fold(username)
                if let stored = try directory.username(key: key) {
                    users[key] = stored
                } else {
                    check.error(.emProfileUserNotFound, .users, "the user \(username) does not exist in the directory")
                }
            }
            result.users = users.sorted { $0.key < $1.key }.map(\.value)
        }
        let positions = Set(row.values.keys.compactMap(\.position)).sorted()
        for n in positions {
            try mergeLine(n, row, into: &result, check: &check)
            mergeSpeedDial(n, row, into: &result, check: &check)
            mergeBusyLampField(n, row, into: &result, check: &check)
            mergeService(n, row, into: &result, check: &check)
        }
        return result
    }

    private func mergeLine(_ n: Int, _ row: EMProfileRow, into result: inout EMProfileRecord, check: inout RowCheck)
        throws
    {
        switch row[.line(n)] {
        case .keep: return
        case .clear: result.lines[n] = nil
        case .set(let text):
            var number = text
            var site: String?
            if let at = text.firstIndex(of: "@") {
                number = String(text[..<at])
                site = String(text[text.index(after: at)...])
            }
            if case .set(let partition) = row[.lineSite(n)] { site = partition }
            guard !number.isEmpty, number.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                check.error(.extensionInvalid, .line(n), "a line is an extension: digits, or digits@site")
                return
            }
            // The line the profile holds already is no change, even when its extension has gone since.
            if let held = result.lines[n], held.number == number,
                NormalizedRow.fold(held.site) == NormalizedRow.fold(site ?? "")
            {
                return
            }
            guard let storedSite = try directory.lineSite(number: number, siteKey: site.map(NormalizedRow.fold))
            else {
                check.error(
                    .emProfileLineNotFound, .line(n),
                    "the extension \(site.map { "\(number)@\($0)" } ?? number) is not in the directory; import its user first"
                )
                return
            }
            result.lines[n] = EMLine(number: number, site: storedSite)
        }
    }

    private func mergeSpeedDial(
        _ n: Int, _ row: EMProfileRow, into result: inout EMProfileRecord, check: inout RowCheck
    ) {
        let stored = result.speedDials[n].map { ($0.number, $0.label) }
        guard
            let merged = mergeButton(
                row, (.speedDialNumber(n), .speedDialLabel(n)), stored: stored, code: .emProfileSpeedDialInvalid,
                what: ("a speed dial number", "a speed dial label", "number"), check: &check)
        else { return }
        result.speedDials[n] = merged.map { EMSpeedDial(number: $0.target, label: $0.label) }
    }

    private func mergeBusyLampField(
        _ n: Int, _ row: EMProfileRow, into result: inout EMProfileRecord, check: inout RowCheck
    ) {
        let stored = result.busyLampFields[n].map { ($0.destination, $0.label) }
        guard
            let merged = mergeButton(
                row, (.blfDestination(n), .blfLabel(n)), stored: stored, code: .emProfileBLFInvalid,
                what: ("a busy lamp field destination", "a busy lamp field label", "destination"), check: &check)
        else { return }
        result.busyLampFields[n] = merged.map { EMBusyLampField(destination: $0.target, label: $0.label) }
    }

    /// A button that dials a target (a speed dial, a busy lamp field) once the row's two cells
    /// apply over `stored`: nil when the row leaves it as it is or breaks a rule, `.some(nil)`
    /// when it goes, else its target and label.
    private func mergeButton(
        _ row: EMProfileRow, _ columns: (target: EMColumn, label: EMColumn), stored: (String, String?)?,
        code: RuleCode, what: (target: String, label: String, noun: String), check: inout RowCheck
    ) -> (target: String, label: String?)?? {
        let targetCell = row[columns.target]
        let labelCell = row[columns.label]
        if targetCell == .keep && labelCell == .keep { return nil }
        if targetCell == .clear { return .some(nil) }
        if case .set(let target) = targetCell, !Self.isDialable(target) {
            check.error(code, columns.target, "\(what.target) is digits, or + then digits (E.164)")
            return nil
        }
        if case .set(let label) = labelCell { check.controlCharacters(label, columns.label) }
        let label = labelCell.applied(to: stored?.1)
        guard let target = targetCell.applied(to: stored?.0) else {
            if label != nil { check.error(code, columns.label, "\(what.label) needs a \(what.noun)") }
            return label == nil ? .some(nil) : nil
        }
        return (target, label)
    }

    private func mergeService(_ n: Int, _ row: EMProfileRow, into result: inout EMProfileRecord, check: inout RowCheck)
    {
        let nameCell = row[.serviceName(n)]
        let urlCell = row[.serviceURL(n)]
        var parametersCell = row[.serviceParameters(n)]
        // CUCM keeps a parameter's name and value apart: together they are `name=value`.
        switch (row[.serviceParameterName(n)], row[.serviceParameterValue(n)]) {
        case (.keep, .keep): break
        case (.clear, _): parametersCell = .clear
        case (.set(let name), let value):
            if case .set(let text) = value {
                parametersCell = .set("\(name)=\(text)")
            } else {
                parametersCell = .set(name)
            }
        case (.keep, .set(let value)): parametersCell = .set(value)
        case (.keep, .clear): parametersCell = .clear
        }
        if nameCell == .keep && urlCell == .keep && parametersCell == .keep { return }
        if nameCell == .clear {
            result.services[n] = nil
            return
        }
        if case .set(let url) = urlCell, !Self.isWebURL(url) {
            check.error(.emProfileServiceURLInvalid, .serviceURL(n), "a service URL is an http:// or https:// URL")
            return
        }
        for (cell, column) in [(nameCell, EMColumn.serviceName(n)), (parametersCell, .serviceParameters(n))] {
            if case .set(let text) = cell { check.controlCharacters(text, column) }
        }
        let stored = result.services[n]
        let url = urlCell.applied(to: stored?.url)
        let parameters = parametersCell.applied(to: stored?.parameters)
        guard let name = nameCell.applied(to: stored?.name) else {
            if url != nil || parameters != nil {
                check.error(.fieldRequired, .serviceName(n), "a service's URL or parameters need the service's name")
            }
            return
        }
        result.services[n] = EMService(name: name, url: url, parameters: parameters)
    }

    /// Whether `text` is digits (1 to 24), or `+` then 1 to 15 digits (E.164).
    public static func isDialable(_ text: String) -> Bool {
        var digits = Substring(text)
        let plus = digits.first == "+"
        if plus { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        return digits.count <= (plus ? 15 : 24)
    }

    /// Whether `text` is an http or https URL with a host, and no space or control character.
    public static func isWebURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            rest = lower.dropFirst(8)
        } else if lower.hasPrefix("http://") {
            rest = lower.dropFirst(7)
        } else {
            return false
        }
        guard
            !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else { return false }
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !host.isEmpty && host.first != ":"
    }
}

/// The findings of one row as its checks add them, each naming its column as the header does.
private struct RowCheck {
    let row: EMProfileRow
    let header: EMHeader
    var findings: [Finding] = []

    mutating func error(_ code: RuleCode, _ column: EMColumn, _ message: String) {
        findings.append(
            Finding(code: code, severity: .error, line: row.line, field: header.fieldName(column), message: message))
    }

    /// `field.control-character` when a free-text value holds a control or bidirectional character.
    mutating func controlCharacters(_ text: String, _ column: EMColumn) {
        var text = text
        guard let scalar = text.withUTF8({ FieldRules.controlScalar(utf8: $0) }) else { return }
        error(
            .controlCharacter, column,
            "the value holds a control or bidirectional character (\(FieldRules.code(of: scalar))) that would be cut or shown reordered"
        )
    }
}
