import GRDB
import SwitchboardCSV
import SwitchboardCore

/// One extension-mobility profile as `show --em` prints it.
public struct EMProfileDetails: Sendable {
    /// The profile and what it carries.
    public var record: EMProfileRecord
    /// When it was created and last changed, and the run that created it.
    public var createdAt: String
    public var updatedAt: String?
    public var createdRunID: Int64?
}

extension DirectoryStore {
    /// Writes every extension-mobility profile, ordered by name, in `format`'s columns; returns the rows written.
    ///
    /// The columns run to the highest position any profile uses, so every profile fits one row;
    /// free-text cells are guarded against spreadsheet formulas. Reading the file back through
    /// the same shape changes nothing: a blank cell keeps, and every stored value is written.
    public func exportEMProfiles<Sink: ByteSink>(format: EMProfileFormat, to writer: inout CSVWriter<Sink>) throws
        -> Int
    {
        let profiles = try queue.read { db in try EMProfileTables.all(db) }
        func highest(_ positions: (EMProfileRecord) -> Dictionary<Int, some Any>.Keys) -> Int {
            profiles.map { positions($0.record).max() ?? 0 }.max() ?? 0
        }
        let lines = highest { $0.lines.keys }
        let dials = highest { $0.speedDials.keys }
        let fields = highest { $0.busyLampFields.keys }
        let services = highest { $0.services.keys }
        var columns: [EMColumn] = [.name, .description, .users]
        for n in stride(from: 1, through: lines, by: 1) {
            columns.append(.line(n))
            if format == .cucmBat { columns.append(.lineSite(n)) }
        }
        for n in stride(from: 1, through: dials, by: 1) { columns += [.speedDialNumber(n), .speedDialLabel(n)] }
        for n in stride(from: 1, through: fields, by: 1) { columns += [.blfDestination(n), .blfLabel(n)] }
        for n in stride(from: 1, through: services, by: 1) {
            switch format {
            case .canonical: columns += [.serviceName(n), .serviceURL(n), .serviceParameters(n)]
            case .cucmBat: columns += [.serviceName(n), .serviceParameterName(n), .serviceParameterValue(n)]
            }
        }
        columns = columns.filter { format.headerName($0) != nil }
        writer.formulaGuard = FormulaGuard(
            freeTextColumns: Set(columns.indices.filter { columns[$0].isFreeText }))
        try writer.write(columns.map { format.headerName($0)! })
        for profile in profiles {
            try writer.write(columns.map { Self.cell($0, of: profile.record, format: format) ?? "" })
        }
        try writer.flush()
        return profiles.count
    }

    /// The value `column` holds for `record` in `format`, or nil when blank.
    private static func cell(_ column: EMColumn, of record: EMProfileRecord, format: EMProfileFormat) -> String? {
        switch column {
        case .action: nil
        case .name: record.name
        case .description: record.description
        case .users: record.users.isEmpty ? nil : record.users.joined(separator: ";")
        case .line(let n):
            format == .cucmBat ? record.lines[n]?.number : record.lines[n]?.label
        case .lineSite(let n): record.lines[n].flatMap { $0.site.isEmpty ? nil : $0.site }
        case .speedDialNumber(let n): record.speedDials[n]?.number
        case .speedDialLabel(let n): record.speedDials[n]?.label
        case .blfDestination(let n): record.busyLampFields[n]?.destination
        case .blfLabel(let n): record.busyLampFields[n]?.label
        case .serviceName(let n): record.services[n]?.name
        case .serviceURL(let n): record.services[n]?.url
        case .serviceParameters(let n): record.services[n]?.parameters
        case .serviceParameterName(let n):
            record.services[n]?.parameters.map { String($0.prefix { $0 != "=" }) }
        case .serviceParameterValue(let n):
            record.services[n]?.parameters.flatMap { text in
                text.firstIndex(of: "=").map { String(text[text.index(after: $0)...]) }
            }
        }
    }

    /// The extension-mobility profile named `name` (compared ignoring case), or nil.
    public func emProfileDetails(name: String) throws -> EMProfileDetails? {
        try access { db in
            try EMProfileTables.load(db, nameKey: NormalizedRow.fold(name)).map {
                EMProfileDetails(
                    record: $0.record, createdAt: $0.createdAt, updatedAt: $0.updatedAt, createdRunID: $0.createdRunID)
            }
        }
    }
}
