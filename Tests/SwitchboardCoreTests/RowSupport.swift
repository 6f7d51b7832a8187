import SwitchboardCore

/// A canonical row from `field: value` pairs, for tests.
func userRow(_ line: Int, _ values: [CanonicalField: String]) -> UserRow {
    var row = UserRow(line: line, cells: CanonicalField.allCases.map { values[$0] ?? "" })
    for (field, value) in values { row[field] = value.isEmpty ? .keep : .set(value) }
    return row
}

/// A valid add row for user `name` with extension `ext`.
func addRow(_ line: Int, _ name: String, ext: String, extra: [CanonicalField: String] = [:]) -> UserRow {
    var values: [CanonicalField: String] = [
        .action: "add", .username: name, .firstName: "First", .lastName: "Last",
        .email: "\(name)@example.com", .extension: ext,
    ]
    values.merge(extra) { _, new in new }
    return userRow(line, values)
}

/// Validates rows with the given policy and directory and returns each row's codes.
func codes(
    _ rows: [UserRow], policy: Policy = Policy(), directory: InMemoryDirectory = InMemoryDirectory()
) -> [[RuleCode]] {
    Validator(policy: policy, directory: directory).validate(rows: rows).map { $0.findings.map(\.code) }
}

/// Validates rows and returns all outcomes.
func outcomes(
    _ rows: [UserRow], policy: Policy = Policy(), directory: InMemoryDirectory = InMemoryDirectory()
) -> [RowOutcome] {
    Validator(policy: policy, directory: directory).validate(rows: rows)
}
