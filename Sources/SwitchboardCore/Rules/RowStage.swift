/// What every stage may consult about a row beyond the row itself.
public struct RowContext {
    /// The policy in force.
    public let policy: Policy
    /// The first pass's index of the whole file.
    public let index: FileIndex
    /// The directory as it stands before the file.
    public let directory: any DirectoryLookup
    /// The profile the file is read with: what its system needs of an add, and where its
    /// credentials come from.
    public let profile: ImportProfile
    /// What the stages read of ``profile`` for every row, as plain values: the profile's tables,
    /// read for every row from both cores, would be counted from both at once.
    let conventions: ProfileConventions
    /// Whether the directory holds nothing (``DirectoryLookup/holdsNoProfiles``): it is then never
    /// asked about a row, and the row's keys are not made to ask it.
    let directoryIsEmpty: Bool
    /// The directory's profile for the row's username, if any.
    public private(set) var existing: DirectoryProfile?
    /// Whether the directory has a profile for the row's username (``existing`` is set), known
    /// without copying the profile.
    public private(set) var profileExists = false
    /// The action once an upsert is resolved: `add` when the profile does not exist yet, else `update`.
    public private(set) var effectiveAction: RowAction?

    /// Creates the context of `row`, resolving its upsert against the directory.
    public init(
        row: NormalizedRow, policy: Policy, index: FileIndex, directory: any DirectoryLookup,
        profile: ImportProfile = .canonical
    ) {
        self.init(policy: policy, index: index, directory: directory, profile: profile)
        move(to: row)
    }

    /// Creates a context for the rows of a run, before ``move(to:)`` gives it its first row.
    init(policy: Policy, index: FileIndex, directory: any DirectoryLookup, profile: ImportProfile) {
        self.policy = policy
        self.index = index
        self.directory = directory
        self.profile = profile
        conventions = ProfileConventions(profile)
        directoryIsEmpty = directory.holdsNoProfiles
    }

    /// Makes this the context of another row of the same run: one context serves a batch of
    /// rows, so the index and policy it holds are not copied (and counted) once a row.
    mutating func move(to row: NormalizedRow) {
        // An empty directory has no profile for any row: only an upsert needs resolving, and
        // the optional profile is neither copied nor destroyed (two value witnesses a row).
        if directoryIsEmpty {
            let action = row.action
            effectiveAction = action == .upsert ? .add : action
            return
        }
        (existing, effectiveAction) = resolution(of: row)
        profileExists = existing != nil
    }

    /// The directory's profile for `row`'s username, and the action once an upsert is resolved;
    /// asked of a directory that holds profiles only (``move(to:)`` answers for an empty one).
    ///
    /// Not mutating, and never inlined into ``move(to:)``, so that the directory is called where it
    /// lies: from a mutating method it was copied for each row, a count on the one directory that
    /// every core's rows share.
    @inline(never)
    private func resolution(of row: NormalizedRow) -> (DirectoryProfile?, RowAction?) {
        let existing = row.usernameKey.flatMap { directory.profile(usernameKey: $0) }
        switch row.action {
        case .upsert?: return (existing, existing == nil ? .add : .update)
        // Re-running an add that changes nothing is an update that finds nothing to do.
        case .add? where existing != nil && directory.isUnchanged(by: row): return (existing, .update)
        // Enabling an active profile is an update that finds nothing to enable.
        case .enable? where existing?.isActive == true: return (existing, .update)
        default: return (existing, row.action)
        }
    }

    /// Whether the row's credentials are a migration's, kept when weak: a vendor profile's file
    /// adding the profile (a credential changed on a stored profile is a reset, held to the policy).
    public var keepsLegacyCredentials: Bool { conventions.credentialsExist && effectiveAction == .add }

    /// Whether the row claims its extension, email and device (adds, updates or enables the profile).
    public var claims: Bool { effectiveAction == .add || effectiveAction == .update || effectiveAction == .enable }
}

/// What the stages read of the file's profile for every row, as plain values.
struct ProfileConventions: Sendable {
    /// What names a person in the system.
    let identity: ImportProfile.Identity
    /// The fields an add needs, as bits by raw value.
    let requiredOnAddBits: UInt64
    /// Whether an add needs a name (display, first or last).
    let requiresAName: Bool
    /// Whether the file's credentials exist already on the source system.
    let credentialsExist: Bool

    init(_ profile: ImportProfile) {
        identity = profile.identity
        requiredOnAddBits = profile.requiredOnAddBits
        requiresAName = profile.requiresAName
        credentialsExist = profile.credentials == .existing
    }
}

/// One stage of validation: a small type that checks one concern of a normalized row.
///
/// Stages never stop at the first problem: each adds every finding it has, so a row
/// gets every reason at once. ``ValidationStages/all`` lists them in order.
public protocol RowStage: Sendable {
    /// Adds to `findings` every rule of this stage that `row` breaks.
    func check(_ row: NormalizedRow, context: RowContext, findings: inout FindingList)
}

/// The stages every row passes after its field checks, in order.
public enum ValidationStages {
    /// Every stage, in the order they run.
    public static let all: [any RowStage] = [
        RequiredFieldsStage(), FileUniquenessStage(), DirectoryStage(), VoicemailStage(), CredentialStage(),
    ]

    /// Whether `stages` are the stages of ``all``, in its order.
    ///
    /// Those stages hold nothing (each is a type with no stored property), so a list of the same
    /// types in the same order checks exactly what ``checkAll(_:context:findings:)`` checks.
    static func areAll(_ stages: [any RowStage]) -> Bool {
        stages.count == all.count && zip(stages, all).allSatisfy { type(of: $0) == type(of: $1) }
    }

    /// Runs every stage of ``all`` over `row`, in order, each called directly: through the list,
    /// each call copied the stage's existential and went through its witness table (about 1.5%
    /// of a run).
    @inline(__always)
    static func checkAll(_ row: NormalizedRow, context: RowContext, findings: inout FindingList) {
        RequiredFieldsStage().check(row, context: context, findings: &findings)
        FileUniquenessStage().check(row, context: context, findings: &findings)
        DirectoryStage().check(row, context: context, findings: &findings)
        VoicemailStage().check(row, context: context, findings: &findings)
        CredentialStage().check(row, context: context, findings: &findings)
    }
}
