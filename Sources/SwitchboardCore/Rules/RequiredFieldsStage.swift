/// Checks that a row holds what its action needs (`field.required`).
///
/// Every action needs an identity: a username, or what the file's system names people by
/// (an email to default the username to; for systems that identify people by extension, the
/// extension). An add needs what that system needs (``ImportProfile/requiredOnAdd``, and a
/// name where the system has one name field), plus what the policy's `[fields] required` adds.
/// The canonical profile asks for first name, last name and email, as 8x8 and BAT do; a
/// common-area profile also needs its own username there, since it may share its email.
public struct RequiredFieldsStage: RowStage {
    public init() {}

    public func check(_ row: NormalizedRow, context: RowContext, findings: inout FindingList) {
        guard let action = context.effectiveAction else { return }
        let profile = context.profile
        if !row.has(.username) && !row.row.clears(.email) {
            if profile.identity == .extension {
                findings.error(.fieldRequired, .extension, "the extension is required (or a username) to name the user")
            } else {
                findings.error(.fieldRequired, .username, "the username is required (or an email to default it to)")
            }
        }
        guard action == .add else { return }
        var needed = profile.requiredOnAdd
        let commonArea = row.type == .commonArea && profile.identity == .login && needed.contains(.email)
        if commonArea { needed.insert(.username, at: 0) }
        for field in context.policy.fields.required where !needed.contains(field) { needed.append(field) }
        for field in needed where !row.row.sets(field) {
            // No username at all is the identity's error, reported above.
            if field == .username && !row.has(.username) { continue }
            let why = field == .username && commonArea ? " for a common-area profile, which may share its email" : ""
            findings.error(.fieldRequired, field, "\(field.name) is required\(why.isEmpty ? " to add a profile" : why)")
        }
        if profile.requiresAName, !needed.contains(.firstName), !needed.contains(.lastName),
            ![CanonicalField.displayName, .firstName, .lastName].contains(where: row.row.sets)
        {
            let field: CanonicalField = profile.headers(for: .displayName).isEmpty ? .lastName : .displayName
            findings.error(.fieldRequired, field, "a name is required to add a profile")
        }
    }
}
