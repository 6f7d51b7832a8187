/// What a row leaves to the directory: the keys a vendor's file has no column for.
///
/// Webex, 3CX and FreePBX files carry no username, and most vendor files no site. Read
/// alone, such a row would name a new profile keyed by its email, on the default site, so
/// re-importing the directory's own export in those shapes would fail. Against the
/// directory, a key the row does not give is the stored profile's.
extension DirectoryLookup {
    /// The row with the keys it does not give taken from the profile the directory holds.
    ///
    /// - A row without a username whose email belongs to a `user` profile is that profile (where
    ///   the email is a login).
    /// - A row whose username was derived from its extension (a system that names people by
    ///   extension) is the profile that holds the extension, whatever that profile's username;
    ///   without a site column, the one profile that holds the number on any site, whose site
    ///   the row then takes.
    /// - A row with an email but without a type, for an existing profile, keeps the stored type
    ///   (the type decides whether the email must be the profile's own; the applier never
    ///   changes a type the row does not give).
    /// - A row with an extension but no site, for a profile whose extensions are all on one
    ///   site, is on that site.
    ///
    /// "Without" means not given: no column, or a blank cell that keeps (never one that clears).
    public func resolvingIdentity(_ normalized: consuming NormalizedRow) -> NormalizedRow {
        // Only what a rule reads is looked up: the type matters only beside an email (which
        // only `user` profiles must keep to themselves), the site only beside an extension.
        let hasEmail = normalized.has(.email)
        let needsType = normalized.row.keeps(.type) && hasEmail
        let needsSite = normalized.row.keeps(.site) && normalized.has(.extensionNumber)
        let derived = normalized.usernameIsDerived
        guard (normalized.row.keeps(.username) && hasEmail) || needsType || needsSite || derived else {
            return normalized
        }
        var row = normalized
        if derived {
            var owner = row.extensionKey.flatMap { extensionOwner(extensionKey: $0) }
            // A file without sites (3CX, FreePBX) names the number on whatever site its one holder has it.
            if owner == nil, row.row.keeps(.site), let number = row.extensionNumber {
                let holders = extensionHolders(number: number)
                if holders.count == 1 {
                    owner = holders[0].usernameKey
                    row.site = holders[0].site
                }
            }
            if let owner, owner != row.usernameKey, let stored = profile(usernameKey: owner) {
                row.username = stored.username
            }
        } else if row.row.keeps(.username), row.emailIsLogin, let emailKey = row.emailKey,
            let owner = emailOwner(emailKey: emailKey), owner != row.usernameKey,
            let stored = profile(usernameKey: owner)
        {
            row.username = stored.username
        }
        guard let usernameKey = row.username.map(NormalizedRow.fold), let stored = profile(usernameKey: usernameKey)
        else {
            row.settleKeys()
            return row
        }
        if needsType { row.type = stored.type }
        if needsSite, let site = stored.extensionSites.first,
            stored.extensionSites.allSatisfy({ NormalizedRow.fold($0) == NormalizedRow.fold(site) })
        {
            row.site = site
        }
        row.settleKeys()
        return row
    }
}
