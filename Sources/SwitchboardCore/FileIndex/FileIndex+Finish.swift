extension FileIndex {
    /// Ends the first pass: sorts the tables and settles what the file shows about leading zeros.
    public mutating func finish() { finish(onTwoCores: false) }

    /// Ends the first pass as ``finish()`` does; with `onTwoCores`, the tables of extensions,
    /// devices, new extensions and extension-mobility profiles are sorted, and their sharing
    /// lines noted, on another core while this thread does the usernames and emails.
    mutating func finish(onTwoCores: Bool) {
        sortTables(onTwoCores: onTwoCores, eachSideTable: { $0.sort(scratch: $1) }) { index, scratch in
            index.usernames.sort(scratch: scratch)
            index.namesEachProfileOnce = !index.usernames.hasRepeatedHash
            index.usernames.unionExtrasOfEqualHashes()
            index.emails.sort(scratch: scratch)
            index.emailsOfSeveralProfiles = index.emails.hashesWithDifferentExtras()
        }
        markLinesSharingKeys(onTwoCores: onTwoCores)
        if let (digits, entry) = paddedLengths.max(by: { ($0.value.count, $1.key) < ($1.value.count, $0.key) }) {
            facts = FileFacts(zeroPaddedExtensionDigits: digits, zeroPaddedExample: entry.line)
        }
        paddedLengths = [:]
        isFinished = true
    }

    /// Frees the tables the second pass never reads, once ``finish()`` has run: what it asks of
    /// them is noted line by line in the runs of the lines that share a key.
    ///
    /// The extensions, phone numbers and emails go; the devices and extension-mobility profiles
    /// go too unless some row names one like the other (``deviceNameLine(_:)`` and
    /// ``emProfileLine(_:)`` then read them). The usernames stay (``effects(of:)``), and the new
    /// extensions (``newExtensionCount(of:)``). The key-based look-ups of the freed tables
    /// (``extensionLines(_:)``, ``deviceLines(_:)``, ``emailClashLines(_:)``) may not be asked
    /// after it: they stop the program. At a million rows of distinct keys this is 50 MiB less
    /// beside the second pass and the rows it loads.
    mutating func releaseTablesTheSecondPassSkips() {
        // An empty file ends its first pass without finishing: it has nothing to release.
        guard isFinished else { return }
        extensions = KeyTable()
        phones = KeyTable()
        emails = KeyTable()
        if !sharing.anyNamesLikeOther {
            devices = KeyTable()
            emProfiles = KeyTable()
            releasedNameTables = true
        }
        releasedKeyTables = true
    }

    /// Notes every line whose row shares a key with another: an extension, a device or a
    /// username on two rows, an email of two profiles, or a device named like an
    /// extension-mobility profile; then, for each of them, where its keys' entries start.
    ///
    /// With `onTwoCores`, another core marks and notes the extensions and devices meanwhile.
    private mutating func markLinesSharingKeys(onTwoCores: Bool) {
        var lines = RunsByLine(
            lineCount: extensions.maxLine(with: devices, phones, usernames, emails, emProfiles) + 1)
        let (extensions, devices, phones, emProfiles, usernames, emails) =
            (self.extensions, self.devices, self.phones, self.emProfiles, self.usernames, self.emails)
        let marked = Self.alongside(
            lines, onAnotherCore: onTwoCores,
            { lines in
                extensions.forEachRun(minimumCount: 2) { lines.mark(extensions, $0) }
                devices.forEachRun(minimumCount: 2) { lines.mark(devices, $0) }
                phones.forEachRun(minimumCount: 2) { lines.mark(phones, $0) }
                devices.forEachLineOfHashShared(with: emProfiles) { lines.mark($0, namedLikeOther: true) }
                emProfiles.forEachLineOfHashShared(with: devices) { lines.mark($0, namedLikeOther: true) }
            },
            meanwhile: {
                usernames.forEachRun(minimumCount: 2) { lines.mark(usernames, $0) }
                emails.forEachRun(minimumCount: 2) { run in
                    if emails.hasDifferentExtras(run) { lines.mark(emails, run) }
                }
            })
        lines.formUnion(marked)
        lines.rank()
        let noted = Self.alongside(
            lines, onAnotherCore: onTwoCores,
            { lines in
                extensions.forEachRun(minimumCount: 2) { lines.note($0, of: extensions, as: .extensions) }
                devices.forEachRun(minimumCount: 2) { lines.note($0, of: devices, as: .devices) }
                phones.forEachRun(minimumCount: 2) { lines.note($0, of: phones, as: .phones) }
            },
            meanwhile: {
                // Every username of a sharing line, repeated or not: its entries carry the profile's effects.
                usernames.forEachRun(minimumCount: 1) { lines.note($0, of: usernames, as: .usernames) }
                emails.forEachRun(minimumCount: 2) { run in
                    if emails.hasDifferentExtras(run) { lines.note(run, of: emails, as: .emails) }
                }
            })
        lines.take([.extensions, .devices, .phones], from: noted)
        sharing = lines
    }
}
