/// One extension-mobility profile and everything it carries, as the directory holds it.
///
/// The name is the profile's identity (compared case-folded) and is read-only once created.
/// Lines, speed dials, busy lamp fields and services sit at positions counted from 1; positions
/// may have gaps. Users are kept as the directory spells their usernames, ordered by key.
public struct EMProfileRecord: Sendable, Hashable, Codable {
    /// The name, as first created.
    public var name: String
    /// Free text, or nil.
    public var description: String?
    /// The usernames associated with the profile, as stored, ordered by their keys.
    public var users: [String]
    /// The lines by position: an extension of the directory.
    public var lines: [Int: EMLine]
    /// The speed dials by position.
    public var speedDials: [Int: EMSpeedDial]
    /// The busy lamp fields by position.
    public var busyLampFields: [Int: EMBusyLampField]
    /// The phone services by position.
    public var services: [Int: EMService]

    /// Creates a profile with nothing but its name.
    public init(
        name: String, description: String? = nil, users: [String] = [], lines: [Int: EMLine] = [:],
        speedDials: [Int: EMSpeedDial] = [:], busyLampFields: [Int: EMBusyLampField] = [:],
        services: [Int: EMService] = [:]
    ) {
        self.name = name
        self.description = description
        self.users = users
        self.lines = lines
        self.speedDials = speedDials
        self.busyLampFields = busyLampFields
        self.services = services
    }

    /// The name folded for comparison, as the directory's unique index keys it.
    public var nameKey: String { NormalizedRow.fold(name) }

    /// Every field of the profile as `(field, value)`, in the canonical columns' order and
    /// names, blank fields left out: what a run records as changed, and what `show` prints.
    public var fields: [(field: String, value: String)] {
        var fields: [(String, String)] = []
        if let description { fields.append(("description", description)) }
        if !users.isEmpty { fields.append(("users", users.joined(separator: ";"))) }
        for (position, line) in lines.sorted(by: { $0.key < $1.key }) {
            fields.append(("line_\(position)", line.label))
        }
        for (position, dial) in speedDials.sorted(by: { $0.key < $1.key }) {
            fields.append(("speed_dial_\(position)_number", dial.number))
            if let label = dial.label { fields.append(("speed_dial_\(position)_label", label)) }
        }
        for (position, field) in busyLampFields.sorted(by: { $0.key < $1.key }) {
            fields.append(("blf_\(position)_destination", field.destination))
            if let label = field.label { fields.append(("blf_\(position)_label", label)) }
        }
        for (position, service) in services.sorted(by: { $0.key < $1.key }) {
            fields.append(("service_\(position)_name", service.name))
            if let url = service.url { fields.append(("service_\(position)_url", url)) }
            if let parameters = service.parameters { fields.append(("service_\(position)_parameters", parameters)) }
        }
        return fields
    }

    /// The fields whose values differ between `old` and `new`, each with both values (nil when blank).
    public static func changes(from old: EMProfileRecord?, to new: EMProfileRecord?) -> [(
        field: String, old: String?, new: String?
    )] {
        let before = Dictionary(old?.fields ?? [], uniquingKeysWith: { first, _ in first })
        let after = Dictionary(new?.fields ?? [], uniquingKeysWith: { first, _ in first })
        var order: [String] = []
        for (field, _) in (old?.fields ?? []) + (new?.fields ?? []) where !order.contains(field) {
            order.append(field)
        }
        return order.compactMap { field in
            before[field] == after[field] ? nil : (field, before[field], after[field])
        }
    }
}

/// A line of an extension-mobility profile: an extension the directory holds.
public struct EMLine: Sendable, Hashable, Codable {
    /// The extension's digits, kept as text.
    public var number: String
    /// The extension's site as stored; empty for none.
    public var site: String

    /// Creates a line.
    public init(number: String, site: String = "") {
        self.number = number
        self.site = site
    }

    /// `4021`, or `4021@paris` on a site.
    public var label: String { site.isEmpty ? number : "\(number)@\(site)" }
}

/// A speed dial: a number to dial and the label beside its button.
public struct EMSpeedDial: Sendable, Hashable, Codable {
    /// Digits, or E.164 (`+` then digits).
    public var number: String
    /// The button's label, or nil.
    public var label: String?

    /// Creates a speed dial.
    public init(number: String, label: String? = nil) {
        self.number = number
        self.label = label
    }
}

/// A busy lamp field: a destination whose state a button's lamp shows.
public struct EMBusyLampField: Sendable, Hashable, Codable {
    /// Digits, or E.164 (`+` then digits).
    public var destination: String
    /// The button's label, or nil.
    public var label: String?

    /// Creates a busy lamp field.
    public init(destination: String, label: String? = nil) {
        self.destination = destination
        self.label = label
    }
}

/// A phone service the profile subscribes to: its name, its URL and its custom parameters.
public struct EMService: Sendable, Hashable, Codable {
    /// The service's name.
    public var name: String
    /// An http or https URL, or nil.
    public var url: String?
    /// Custom parameters as written (`Ext1=4021`), or nil.
    public var parameters: String?

    /// Creates a service.
    public init(name: String, url: String? = nil, parameters: String? = nil) {
        self.name = name
        self.url = url
        self.parameters = parameters
    }
}
