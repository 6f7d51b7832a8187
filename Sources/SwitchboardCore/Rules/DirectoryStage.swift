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
        case .update, .disable, .delete, .enable, .attach, .detach:
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
        if action.isServiceChange {
            checkService(row, me, action: action, context: context, findings: &findings)
            return
        }
        if action == .delete || action == .disable, let existing = context.existing {
            warnOfSharers(existing, action: action, context: context, findings: &findings)
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

    /// Checks an `attach` or `detach` row's extension against what its profile and the others hold.
    ///
    /// An attach of an extension another profile holds is `extension.taken`, unless that profile's
    /// rows give it up or `[extension] allow_shared` lets the two share it; an attach beyond
    /// `max_extensions` is `profile.extension-limit`. A detach needs an extension the profile
    /// holds, and is refused for its primary while it holds others (`extension.primary-in-use`).
    private func checkService(
        _ row: NormalizedRow, _ me: String, action: RowAction, context: RowContext, findings: inout FindingList
    ) {
        guard let key = row.extensionKey, let existing = context.existing else { return }
        let directory = context.directory
        let label = row.extensionLabel
        if action == .detach {
            guard existing.hasService(key) else {
                findings.error(
                    .extensionNotHeld, .extension, "profile \(existing.username) does not hold extension \(label)")
                return
            }
            if existing.primaryServiceKey == key && existing.serviceCount > 1 {
                findings.error(
                    .extensionPrimaryInUse, .extension,
                    "extension \(label) is the primary phone service of profile \(existing.username), which holds "
                        + "\(existing.serviceCount - 1) more: make another one primary first")
            }
            return
        }
        if existing.hasService(key) { return }
        if let owner = directory.extensionOwner(extensionKey: key), owner != me,
            !context.policy.extension.allowShared, !context.index.effects(of: owner).contains(.releases)
        {
            findings.error(
                .extensionTaken, .extension,
                "extension \(label) belongs to profile \(name(owner, directory)) in the directory "
                    + "([extension] allow_shared = true lets them share it)")
        }
        let limit = context.policy.profile.maxExtensions
        let fileAdds = limit > 1 ? context.index.newExtensionCount(of: me) : 1
        let total = existing.serviceCount + max(fileAdds, 1)
        if total > limit {
            findings.error(
                .profileExtensionLimit, .extension,
                "the profile would hold \(total) extensions once the file is applied; max_extensions is \(limit)")
        }
    }

    /// Warns, for a disable or delete, of each extension the profile holds that others share:
    /// it stays with them (`extension.shared`).
    private func warnOfSharers(
        _ existing: DirectoryProfile, action: RowAction, context: RowContext, findings: inout FindingList
    ) {
        guard existing.isActive, !context.directoryIsEmpty else { return }
        for key in existing.extensionKeys {
            let sharers = context.directory.extensionSharers(extensionKey: key)
            guard !sharers.isEmpty else { continue }
            let names = sharers.map { name($0, context.directory) }.joined(separator: ", ")
            let number = CredentialStage.number(ofKey: key)
            findings.warning(
                .extensionShared, .extension,
                "extension \(number) is shared with \(names): it is \(action.pastTense) for this profile only "
                    + "and stays with them")
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
        case .attach: "given this extension"
        case .detach: "relieved of this extension"
        }
    }
}
