extension FileIndex {
    /// Whether the row on `line` shares a key with another row of the file: when it does not,
    /// no lookup of ``FileUniquenessStage`` can find anything for it.
    public func sharesKeys(line: Int) -> Bool { sharing.slot(of: line) != nil }

    /// Whether the row on `line` names its device like an extension-mobility profile of the file,
    /// or its extension-mobility profile like a device: only then can ``deviceNameLine(_:)`` or
    /// ``emProfileLine(_:)`` find a line for its keys.
    public func namesDeviceLikeEMProfile(line: Int) -> Bool { sharing.namesLikeOther(line) }

    /// The rows claiming the extension of the row on `line`, when more than one does.
    ///
    /// This and the other `onLine` look-ups read what ``finish()`` noted for the line, in line
    /// order, instead of searching the tables by the key's hash: the second pass asks them of
    /// every row that shares a key.
    public func extensionLines(onLine line: Int) -> KeyRunSummary? { sharing.run(onLine: line, .extensions) }

    /// Asks the processor to fetch what the look-ups of `line`'s shared keys will read, without
    /// waiting for it: the second pass calls it a few rows ahead of the row it checks.
    @inline(__always)
    func prefetchSharedLines(onLine line: Int) { sharing.prefetch(line) }
    /// The lines other than `line` of the rows that share its key of `table`, when more than
    /// `rows` rows do (and more than one): what a duplicate's message names, read without the
    /// ``KeyRunSummary`` of the run.
    func otherLines(onLine line: Int, _ table: RunsByLine.Table, moreThan rows: Int = 1) -> OtherLinesOfKey? {
        sharing.otherLines(onLine: line, table, moreThan: max(rows, 1))
    }
    /// The rows naming the profile of the row on `line`, when more than one does.
    public func usernameLines(onLine line: Int) -> KeyRunSummary? {
        sharing.run(onLine: line, .usernames).flatMap { $0.count > 1 ? $0 : nil }
    }
    /// The `user` rows with the email of the `user` row on `line`, when they name more than one profile.
    public func emailClashLines(onLine line: Int) -> KeyRunSummary? { sharing.run(onLine: line, .emails) }
    /// The rows claiming the device of the row on `line`, when more than one does.
    public func deviceLines(onLine line: Int) -> KeyRunSummary? { sharing.run(onLine: line, .devices) }
    /// What the file does to the profile that the row on `line` names by `usernameKey`.
    public func effects(ofLine line: Int, usernameKey: @autoclosure () -> String) -> ProfileEffects {
        guard let run = sharing.run(onLine: line, .usernames) else { return effects(of: usernameKey()) }
        return ProfileEffects(rawValue: UInt8(truncatingIfNeeded: run.extra))
    }

    /// The lines of every row claiming this site-and-extension key, when more than one does.
    public func extensionLines(_ key: String) -> KeyLinesView? {
        precondition(!releasedKeyTables, "the extensions were released for the second pass")
        return extensions.repeatedLines(of: Self.hash(key))
    }
    /// The lines of every row naming this username key, when more than one does.
    public func usernameLines(_ key: String) -> KeyLinesView? { usernames.repeatedLines(of: Self.hash(key)) }
    /// The lines of every row claiming this device key, when more than one does.
    public func deviceLines(_ key: String) -> KeyLinesView? {
        precondition(!releasedNameTables, "the devices were released for the second pass")
        return devices.repeatedLines(of: Self.hash(key))
    }
    /// The lines of the `user` rows with this email key, when they name more than one profile.
    public func emailClashLines(_ key: String) -> KeyLinesView? {
        precondition(!releasedKeyTables, "the emails were released for the second pass")
        let hash = Self.hash(key)
        guard emailsOfSeveralProfiles.sortedContains(UInt64(bitPattern: Int64(hash))) else { return nil }
        return KeyLinesView(table: emails, range: emails.range(of: hash))
    }
    /// What the file does to the profile with this username key.
    public func effects(of usernameKey: String) -> ProfileEffects {
        // finish() gave every entry of a username the union of its rows' effects.
        guard let first = usernames.range(of: Self.hash(usernameKey)).first else { return [] }
        return ProfileEffects(rawValue: UInt8(truncatingIfNeeded: usernames.extra(at: first)))
    }
    /// How many extensions the file gives this profile that the directory does not.
    public func newExtensionCount(of usernameKey: String) -> Int {
        newExtensions.range(of: Self.hash(usernameKey)).count
    }
    /// The first line naming a device of this key, if the file names one.
    public func deviceNameLine(_ key: String) -> Int? {
        precondition(!releasedNameTables, "the devices were released for the second pass")
        return devices.firstLine(of: Self.hash(key))
    }
    /// The first line naming an extension-mobility profile of this key, if the file names one.
    public func emProfileLine(_ key: String) -> Int? {
        precondition(!releasedNameTables, "the extension-mobility profiles were released for the second pass")
        return emProfiles.firstLine(of: Self.hash(key))
    }
}

extension RandomAccessCollection where Element: Comparable {
    /// Whether the collection, which is in ascending order, holds `element`: a binary search.
    func sortedContains(_ element: Element) -> Bool {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = index(low, offsetBy: distance(from: low, to: high) / 2)
            if self[middle] < element { low = index(after: middle) } else { high = middle }
        }
        return low < endIndex && self[low] == element
    }
}
