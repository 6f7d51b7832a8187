/// Checks a row against the directory as it will be once the whole file is applied.
///
/// A profile that the file disables or deletes frees its extensions and devices; one
/// whose rows set a new extension (with `max_extensions = 1`), email or device frees the
/// old one. So two users swapping extensions in one file, or a user disabled to free an
/// extension for a new one, pass.
public struct DirectoryStage: RowStage {
    public init() {}

    public func check(_ row: NormalizedRow, context: RowContext, findings: inout FindingList) {
        guard let action = context.effectiveAction, row.has(.username) else { return }
        // The row's username key, made only where it is asked for (most rows of a file checked
        // against an empty directory never ask).
        var me: String { row.usernameKey ?? "" }
        let exists = context.profileExists
        switch action {
        case .add where row.action == .add && exists:
            findings.error(
                .profileExists, .username,
                "a profile with this username exists already and the row would change it; use update or upsert")
        case .update, .disable, .delete, .enable:
            if !exists && !context.index.effects(ofLine: row.line, usernameKey: me).contains(.adds) {
                findings.error(
                    .profileNotFound, .username, "no profile has this username, so it cannot be " + action.pastTense)
            }
        default: break
        }
        if action == .delete && !context.policy.profile.allowDelete {
            findings.error(
                .profileDeleteForbidden, .action,
                "profiles may not be deleted here ([profile] allow_delete = false): disable the profile instead, "
                    + "which frees its extensions and keeps its history")
        }
        if let existing = context.existing {
            if action == .update, !existing.isActive, !context.policy.profile.updateReenables {
                findings.error(
                    .profileDisabled, .action,
                    "the profile is disabled, and an update does not bring it back: use the action enable "
                        + "(its extensions and features are not given back; the row may give new ones)")
            }
            if action == .update, existing.isActive, let occupant = newOccupant(row, existing) {
                findings.warning(.profileNewOccupant, .email, occupant)
            }
        }
        guard context.claims else { return }
        let singleExtension = context.policy.profile.maxExtensions == 1
        // A directory without profiles owns nothing and holds no phone number: the row's keys
        // and values are not even made.
        if !context.directoryIsEmpty {
            checkOwners(
                of: row, me, action: action, context: context, singleExtension: singleExtension, findings: &findings)
        }
        if !singleExtension, row.has(.extensionNumber), !(row.action == .add && exists) {
            let me = me
            let index = context.index
            let limit = context.policy.profile.maxExtensions
            let held =
                context.existing.map {
                    $0.isActive && !index.effects(ofLine: row.line, usernameKey: me).contains(.releases)
                        ? $0.extensionKeys.count : 0
                } ?? 0
            let total = held + index.newExtensionCount(of: me)
            if total > limit {
                findings.error(
                    .profileExtensionLimit, .extension,
                    "the profile would hold \(total) extensions once the file is applied; max_extensions is \(limit)")
            }
        }
    }

    /// Checks the row's extension, phone number, email and device against the directory's
    /// profiles; `me` is the row's username key.
    private func checkOwners(
        of row: NormalizedRow, _ me: String, action: RowAction, context: RowContext, singleExtension: Bool,
        findings: inout FindingList
    ) {
        let directory = context.directory
        let index = context.index
        if let key = row.extensionKey, let owner = directory.extensionOwner(extensionKey: key), owner != me {
            let effects = index.effects(of: owner)
            if !effects.contains(.releases) && !(singleExtension && effects.contains(.setsExtension)) {
                findings.error(
                    .extensionTaken, .extension,
                    "extension \(row.extensionLabel) belongs to profile \(name(owner, directory)) in the directory")
            } else {
                findings.warning(
                    .extensionReassigned, .extension,
                    "extension \(row.extensionLabel) passes from profile \(name(owner, directory)) to this one: "
                        + "clear the forwarding and features the earlier owner set")
            }
        }
        if context.policy.phone.unique, let number = row.phoneNumber {
            for owner in directory.phoneOwners(phoneNumber: number) where owner != me {
                let effects = index.effects(of: owner)
                if !effects.contains(.releases) && !effects.contains(.setsPhone) {
                    findings.error(
                        .phoneTaken, .phoneNumber,
                        "phone number \(number) belongs to profile \(name(owner, directory)) in the directory")
                    break
                }
            }
        }
        if action == .update, let existing = context.existing, let number = row.phoneNumber,
            existing.phoneNumber != number
        {
            findings.warning(
                .phoneE911Review, .phoneNumber,
                "the phone number changes to \(number): confirm the emergency (E911) address tied to it "
                    + "(switchboard confirm-e911)")
        }
        if row.type == .user, row.emailIsLogin, let key = row.emailKey, let owner = directory.emailOwner(emailKey: key),
            owner != me
        {
            let effects = index.effects(of: owner)
            if !effects.contains(.deletes) && !effects.contains(.setsEmail) {
                findings.error(
                    .emailTaken, .email, "this email belongs to profile \(name(owner, directory)) in the directory")
            }
        }
        if let key = row.deviceKey, let owner = directory.deviceOwner(deviceKey: key), owner != me {
            let effects = index.effects(of: owner)
            if !effects.contains(.releases) && !effects.contains(.setsDevice) {
                findings.error(
                    .deviceTaken, .deviceName,
                    "device \(row.deviceName!) belongs to profile \(name(owner, directory)) in the directory")
            }
        }
    }

    /// When `row` replaces both the name and the email of the stored profile `existing` (a new
    /// person takes over the profile and its phone), the follow-up work the sources list; nil otherwise.
    private func newOccupant(_ row: NormalizedRow, _ existing: DirectoryProfile) -> String? {
        guard let email = row.email, let stored = existing.email,
            NormalizedRow.fold(email) != NormalizedRow.fold(stored)
        else { return nil }
        func changes(_ field: CanonicalField, _ stored: String?) -> Bool {
            guard let value = row.row.value(field), let stored else { return false }
            return NormalizedRow.fold(value) != NormalizedRow.fold(stored)
        }
        guard
            changes(.firstName, existing.firstName) || changes(.lastName, existing.lastName)
                || changes(.displayName, existing.displayName)
        else { return nil }
        return "the row gives profile \(existing.username) another person's name and email: a new user takes it "
            + "over with its phone. Turn off the call forwarding the previous user set; disable Webex messaging "
            + "(IM&P) before the email changes and enable it again after; reset the portal password and the "
            + "voicemail passcode"
    }

    private func name(_ usernameKey: String, _ directory: any DirectoryLookup) -> String {
        directory.profile(usernameKey: usernameKey)?.username ?? usernameKey
    }
}

extension RowAction {
    /// The action as a past participle, for messages: `updated`, `disabled`, `deleted`.
    var pastTense: String {
        switch self {
        case .add: "added"
        case .update, .upsert: "updated"
        case .disable: "disabled"
        case .delete: "deleted"
        case .enable: "enabled"
        }
    }
}
