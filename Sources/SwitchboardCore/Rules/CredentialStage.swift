/// Checks the voicemail passcode and the portal password against the policy (DOMAIN.md §4, §5).
///
/// A file read through a vendor's profile carries credentials already in use
/// (``ImportProfile/CredentialOrigin/existing``): where its row adds a profile, a credential
/// that breaks the policy is kept, as a hash marked must-change, with a single
/// `passcode.weak-legacy` or `password.weak-legacy` warning naming the rules it breaks, unless
/// the policy's `legacy = "reject"` says otherwise. A credential a row changes on a stored
/// profile is a reset, held to the policy like any new one.
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
                phoneNumber: numbers
                    ? row.phoneNumber ?? row.row.value(.phoneNumber) ?? context.existing?.phoneNumber : nil,
                firstName: names ? row.row.value(.firstName) : nil, lastName: names ? row.row.value(.lastName) : nil,
                history: context.directoryIsEmpty
                    ? nil : row.usernameKey.flatMap { context.directory.passcodeHistory(usernameKey: $0) })
            var violations = checkPasscode(
                utf8: passcode, policy: context.policy.passcode, context: passcodeContext
            ).violations
            // The stored numbers count too when the row gives others (BroadWorks checks a reset
            // against the numbers the user has): both numbers, both reversed.
            if numbers, let existing = context.existing, !violations.contains(where: { $0.code == .passcodeUserNumber })
            {
                let storedExtension = existing.extensionKeys.first.map(Self.number(ofKey:))
                if storedExtension != passcodeContext.extension || existing.phoneNumber != passcodeContext.phoneNumber {
                    let stored = PasscodeContext(extension: storedExtension, phoneNumber: existing.phoneNumber)
                    violations += checkPasscode(utf8: passcode, policy: context.policy.passcode, context: stored)
                        .violations.filter { $0.code == .passcodeUserNumber }
                }
            }
            if !violations.isEmpty, context.keepsLegacyCredentials,
                context.policy.passcode.legacy == .mustChange
            {
                findings.warning(
                    .passcodeWeakLegacy, .voicemailPasscode,
                    Self.legacyMessage("voicemail passcode", violations.map(\.code)))
                return
            }
            for violation in violations {
                findings.error(violation.code, .voicemailPasscode, violation.message)
            }
        }
        row.row.withValue(.portalPassword) { password in
            // The username and extension are looked for only under the policy's optional checks.
            let rules = context.policy.password
            let violations = checkPassword(
                utf8: password, policy: rules, username: rules.blockUsername ? row.username : nil,
                extension: rules.blockExtension ? extensionNumber : nil)
            // A password equal to the one in effect is no change, and is not checked.
            if !violations.isEmpty, context.profileExists, let key = row.usernameKey,
                context.directory.isCurrentPassword(String(decoding: password, as: UTF8.self), usernameKey: key)
            {
                return
            }
            if !violations.isEmpty, context.keepsLegacyCredentials, rules.legacy == .mustChange {
                findings.warning(
                    .passwordWeakLegacy, .portalPassword, Self.legacyMessage("portal password", violations.map(\.code)))
                return
            }
            for violation in violations {
                findings.error(violation.code, .portalPassword, violation.message)
            }
        }
    }

    /// The warning of a legacy credential that breaks the rules `codes`: what happens to it, never its text.
    static func legacyMessage(_ what: String, _ codes: [RuleCode]) -> String {
        var seen: [String] = []
        for code in codes where !seen.contains(code.rawValue) { seen.append(code.rawValue) }
        return "the \(what) breaks the policy (\(seen.joined(separator: ", "))); it is in use on the source "
            + "system, so it is kept as a salted hash and marked must-change "
            + "(`switchboard import --replace-weak-secrets` replaces it)"
    }

    /// The extension number of a site-and-extension key.
    static func number(ofKey key: String) -> String {
        String(key[key.index(after: key.firstIndex(of: "\u{0}") ?? key.startIndex)...])
    }
}
