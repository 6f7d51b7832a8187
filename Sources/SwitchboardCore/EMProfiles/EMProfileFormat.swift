/// A column of an extension-mobility profiles file, by what it holds.
///
/// Positions count from 1: `line_2` is `.line(2)`. The CUCM shape splits some fields in two
/// (a line's partition, a service parameter's name and value); the canonical shape does not.
public enum EMColumn: Hashable, Sendable {
    /// `add`, `update`, `upsert` (blank) or `delete`.
    case action
    /// The profile's name: its identity.
    case name
    /// Free text.
    case description
    /// Usernames joined by `;`.
    case users
    /// A line: `number` or `number@site`.
    case line(Int)
    /// A line's site, in a shape that keeps it apart (CUCM's partition).
    case lineSite(Int)
    /// A speed dial's number and label.
    case speedDialNumber(Int)
    case speedDialLabel(Int)
    /// A busy lamp field's destination and label.
    case blfDestination(Int)
    case blfLabel(Int)
    /// A service's name, URL and custom parameters.
    case serviceName(Int)
    case serviceURL(Int)
    case serviceParameters(Int)
    /// A service parameter's name and value, in a shape that keeps them apart (CUCM).
    case serviceParameterName(Int)
    case serviceParameterValue(Int)

    /// The position the column is about, or nil for a column of the profile as a whole.
    public var position: Int? {
        switch self {
        case .action, .name, .description, .users: nil
        case .line(let n), .lineSite(let n), .speedDialNumber(let n), .speedDialLabel(let n),
            .blfDestination(let n), .blfLabel(let n), .serviceName(let n), .serviceURL(let n),
            .serviceParameters(let n), .serviceParameterName(let n), .serviceParameterValue(let n):
            n
        }
    }

    /// Whether the column holds free text, guarded against spreadsheet formulas on output.
    public var isFreeText: Bool {
        switch self {
        case .action, .line, .lineSite, .speedDialNumber, .blfDestination: false
        default: true
        }
    }
}

/// The shape of an extension-mobility profiles file: Switchboard's own columns, or CUCM's BAT
/// user device profile export.
public enum EMProfileFormat: String, CaseIterable, Sendable {
    /// `action`, `em_profile`, `description`, `users`, `line_N`, `speed_dial_N_number`...
    case canonical = "canonical-em"
    /// CUCM Bulk Administration's user device profiles: `DEVICE PROFILE NAME`, `DIRECTORY NUMBER 1`...
    case cucmBat = "cucm-bat-em"

    /// The name `--profile` takes.
    public var name: String { rawValue }

    /// The system the shape comes from, for people.
    public var title: String {
        switch self {
        case .canonical: "Switchboard's extension-mobility columns"
        case .cucmBat: "Cisco CUCM BAT user device profiles"
        }
    }

    /// The shape named `name` (ignoring case): `canonical-em` or `cucm-bat-em`.
    public static func named(_ name: String) -> EMProfileFormat? {
        allCases.first { $0.rawValue == name.lowercased() }
    }

    /// Header names (folded) that name a person: a file with one of them is a users file.
    ///
    /// The canonical names, and every column any users profile reads as a username, an email or
    /// an extension (CUCM `MAIL ID`, 3CX `Number`, Webex `User ID/Email (Required)`...).
    static let personColumns: Set<String> = {
        var names: Set<String> = [
            "username", "user name", "email", "email address", "e mail", "mail id", "extension", "first name",
            "last name", "display name",
        ]
        for profile in ImportProfile.all {
            for name in profile.recognisedNames {
                switch profile.role(ofHeader: name) {
                case .field(.username), .field(.email), .field(.extension): names.insert(name)
                default: break
                }
            }
        }
        return names
    }()

    /// The shape a header shows, or nil when it is no extension-mobility profiles file.
    ///
    /// CUCM's `DEVICE PROFILE NAME` makes a user device profiles file. Otherwise an `em_profile`
    /// column beside no column that names a person (username, email, extension...) makes a
    /// canonical one; with such a column, the file is a users file whose rows name their profile.
    public static func detect(header: [String]) -> EMProfileFormat? {
        let folded = Set(header.map(HeaderName.fold))
        if folded.contains("device profile name") { return .cucmBat }
        if folded.contains("em profile") && folded.isDisjoint(with: personColumns) { return .canonical }
        return nil
    }

    /// The column a folded header name maps to in this shape, or nil.
    public func column(folded name: String) -> EMColumn? {
        let words = name.split(separator: " ").map(String.init)
        switch self {
        case .canonical:
            switch name {
            case "action": return .action
            case "em profile": return .name
            case "description": return .description
            case "users": return .users
            default: break
            }
            // `line N`, `speed dial N number`, `blf N label`, `service N url`...
            if words.count == 2, words[0] == "line", let n = Self.position(words[1]) { return .line(n) }
            if words.count == 4, words[0] == "speed", words[1] == "dial", let n = Self.position(words[2]) {
                return words[3] == "number" ? .speedDialNumber(n) : words[3] == "label" ? .speedDialLabel(n) : nil
            }
            if words.count == 3, words[0] == "blf", let n = Self.position(words[1]) {
                return words[2] == "destination" ? .blfDestination(n) : words[2] == "label" ? .blfLabel(n) : nil
            }
            if words.count == 3, words[0] == "service", let n = Self.position(words[1]) {
                switch words[2] {
                case "name": return .serviceName(n)
                case "url": return .serviceURL(n)
                case "parameters": return .serviceParameters(n)
                default: return nil
                }
            }
            return nil
        case .cucmBat:
            switch name {
            case "device profile name": return .name
            case "description": return .description
            case "user id": return .users
            default: break
            }
            guard let last = words.last, let n = Self.position(last) else { return nil }
            switch words.dropLast().joined(separator: " ") {
            case "directory number": return .line(n)
            case "partition": return .lineSite(n)
            case "speed dial number": return .speedDialNumber(n)
            case "speed dial label": return .speedDialLabel(n)
            case "busy lamp field destination": return .blfDestination(n)
            case "busy lamp field label": return .blfLabel(n)
            case "service name": return .serviceName(n)
            case "parameter name": return .serviceParameterName(n)
            case "parameter value": return .serviceParameterValue(n)
            default: return nil
            }
        }
    }

    /// The header name this shape writes for `column` (CUCM's export spells numbered columns
    /// with two spaces before the number); nil when the shape has no such column.
    public func headerName(_ column: EMColumn) -> String? {
        switch self {
        case .canonical:
            switch column {
            case .action: "action"
            case .name: "em_profile"
            case .description: "description"
            case .users: "users"
            case .line(let n): "line_\(n)"
            case .speedDialNumber(let n): "speed_dial_\(n)_number"
            case .speedDialLabel(let n): "speed_dial_\(n)_label"
            case .blfDestination(let n): "blf_\(n)_destination"
            case .blfLabel(let n): "blf_\(n)_label"
            case .serviceName(let n): "service_\(n)_name"
            case .serviceURL(let n): "service_\(n)_url"
            case .serviceParameters(let n): "service_\(n)_parameters"
            case .lineSite, .serviceParameterName, .serviceParameterValue: nil
            }
        case .cucmBat:
            switch column {
            case .name: "DEVICE PROFILE NAME"
            case .description: "DESCRIPTION"
            case .users: "USER ID"
            case .line(let n): "DIRECTORY NUMBER  \(n)"
            case .lineSite(let n): "PARTITION  \(n)"
            case .speedDialNumber(let n): "SPEED DIAL NUMBER  \(n)"
            case .speedDialLabel(let n): "SPEED DIAL LABEL  \(n)"
            case .blfDestination(let n): "BUSY LAMP FIELD DESTINATION  \(n)"
            case .blfLabel(let n): "BUSY LAMP FIELD LABEL  \(n)"
            case .serviceName(let n): "SERVICE NAME  \(n)"
            case .serviceParameterName(let n): "PARAMETER NAME  \(n)"
            case .serviceParameterValue(let n): "PARAMETER VALUE  \(n)"
            case .action, .serviceURL, .serviceParameters: nil
            }
        }
    }

    /// The columns a file of this shape needs: the name.
    public var nameHeader: String { headerName(.name)! }

    /// A position: digits, 1 to 999, without a leading zero.
    static func position(_ text: String) -> Int? {
        guard !text.isEmpty, text.count <= 3, text.first != "0", text.allSatisfy(\.isASCII),
            let value = Int(text)
        else { return nil }
        return value
    }
}
