/// Checks that a row holds what its action needs (`field.required`).
///
/// An add needs first name, last name and email (8x8 and BAT make the last name
/// mandatory); a common-area profile also needs its own username, since it may share
/// its email. Every other action needs an identity: a username, or an email to default it.
public struct RequiredFieldsStage: RowStage {
    public init() {}

    public func check(_ row: NormalizedRow, context: RowContext, findings: inout FindingList) {
        guard let action = context.effectiveAction else { return }
        if !row.has(.username) && !row.row.clears(.email) {
            findings.error(.fieldRequired, .username, "the username is required (or an email to default it to)")
        }
        guard action == .add else { return }
        let needed: [CanonicalField] =
            row.type == .commonArea && !row.row.sets(.username)
            ? [.username, .firstName, .lastName, .email] : [.firstName, .lastName, .email]
        for field in needed where !row.row.sets(field) {
            if field == .username && !row.has(.username) { continue }
            let why = field == .username ? " for a common-area profile, which may share its email" : " to add a profile"
            findings.error(.fieldRequired, field, "\(field.name) is required\(why)")
        }
    }
}
