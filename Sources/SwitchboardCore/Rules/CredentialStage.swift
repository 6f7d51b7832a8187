/// Checks the voicemail passcode and the portal password against the policy (DOMAIN.md §4, §5).
///
/// A passcode equal to the one in effect is no change and is not checked. History
/// checks go through the directory's ``PasscodeHistory``, which compares hashes, so no
/// stored passcode is ever needed in plain text. Messages never quote a secret.
public struct CredentialStage: RowStage {
    public init() {}

    public func check(_ row: NormalizedRow, context: RowContext, findings: inout FindingList) {
        // The user's extension is made a String only for a row with a secret to check, and once.
        lazy var extensionNumber =
            row.extensionNumber
            ?? context.existing?.extensionKeys.first.map(Self.number(ofKey:))
        // The secrets are checked on their bytes: no String of them is made.
        row.row.withValue(.voicemailPasscode) { passcode in
            // The names are read only under `block_name_digits`: made Strings only then.
            let names = context.policy.passcode.blockNameDigits
            // The user's numbers are read only when the policy blocks passcodes that are one.
            let numbers = context.policy.passcode.blockUserNumber || context.policy.passcode.blockReversedUserNumber
            let passcodeContext = PasscodeContext(
                extension: numbers ? extensionNumber : nil,
                phoneNumber: numbers ? row.phoneNumber ?? row.row.value(.phoneNumber) : nil,
                firstName: names ? row.row.value(.firstName) : nil, lastName: names ? row.row.value(.lastName) : nil,
                history: context.directoryIsEmpty
                    ? nil : row.usernameKey.flatMap { context.directory.passcodeHistory(usernameKey: $0) })
            for violation in checkPasscode(utf8: passcode, policy: context.policy.passcode, context: passcodeContext)
                .violations
            {
                findings.error(violation.code, .voicemailPasscode, violation.message)
            }
        }
        row.row.withValue(.portalPassword) { password in
            // The username and extension are looked for only under the policy's optional checks.
            let rules = context.policy.password
            let violations = checkPassword(
                utf8: password, policy: rules, username: rules.blockUsername ? row.username : nil,
                extension: rules.blockExtension ? extensionNumber : nil)
            for violation in violations {
                findings.error(violation.code, .portalPassword, violation.message)
            }
        }
    }

    /// The extension number of a site-and-extension key.
    static func number(ofKey key: String) -> String {
        String(key[key.index(after: key.firstIndex(of: "\u{0}") ?? key.startIndex)...])
    }
}
