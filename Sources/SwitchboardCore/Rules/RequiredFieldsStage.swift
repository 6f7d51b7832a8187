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
        let profile = context.conventions
        if !row.has(.username) && !row.row.clears(.email) {
            if profile.identity == .extension {
                findings.error(.fieldRequired, .extension, "the extension is required (or a username) to name the user")
            } else {
                findings.error(.fieldRequired, .username, "the username is required (or an email to default it to)")
            }
        }
        // An extension that is there but invalid has its own finding.
        if action.isServiceChange && !row.has(.extensionNumber) && !row.row.sets(.extension) {
            findings.error(
                .fieldRequired, .extension, "the extension is required to \(action.rawValue) a phone service")
        }
        guard action == .add else { return }
        // Bits, not arrays: the profile and the policy are every core's, and an array read for
        // every row would be counted from both cores at once.
        let commonArea =
            row.type == .commonArea && profile.identity == .login
            && profile.requiredOnAddBits & 1 << CanonicalField.email.rawValue != 0
        let needed =
            profile.requiredOnAddBits | context.policy.fields.requiredBits
            | (commonArea ? 1 << CanonicalField.username.rawValue : 0)
        if needed != 0 {
            for raw in 0..<CanonicalField.fieldCount where needed & 1 << raw != 0 {
                let field = CanonicalField(rawValue: raw)!
                guard !row.row.sets(field) else { continue }
                // No username at all is the identity's error, reported above.
                if field == .username && !row.has(.username) { continue }
                let why =
                    field == .username && commonArea && context.policy.fields.requiredBits & 1 << raw == 0
                    ? " for a common-area profile, which may share its email" : " to add a profile"
                findings.error(.fieldRequired, field, "\(field.name) is required\(why)")
            }
        }
        let namesRequired = 1 << CanonicalField.firstName.rawValue | 1 << CanonicalField.lastName.rawValue
        if profile.requiresAName, needed & UInt64(namesRequired) == 0, !row.row.sets(.displayName),
            !row.row.sets(.firstName), !row.row.sets(.lastName)
        {
            let field: CanonicalField = context.profile.headers(for: .displayName).isEmpty ? .lastName : .displayName
            findings.error(.fieldRequired, field, "a name is required to add a profile")
        }
    }
}
