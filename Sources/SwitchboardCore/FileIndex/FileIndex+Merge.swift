extension FileIndex {
    /// Sorts every table's entries now, before ``append(_:lineOffset:)`` merges another presorted
    /// index in: ``finish()`` then only indexes them.
    ///
    /// With `onTwoCores`, the tables of extensions, devices, new extensions and extension-mobility
    /// profiles are sorted on another core while this thread sorts the usernames and emails, each
    /// core through a scratch of its own; otherwise one scratch serves every table in turn.
    mutating func presort(onTwoCores: Bool = false) {
        guard onTwoCores else {
            let scratch = KeyTable.SortScratch()
            for table in Self.sideTables + [\.usernames, \.emails] { self[keyPath: table].presort(scratch: scratch) }
            return
        }
        sortTables(onTwoCores: true, eachSideTable: { $0.presort(scratch: $1) }) { index, scratch in
            index.usernames.presort(scratch: scratch)
            index.emails.presort(scratch: scratch)
        }
    }

    /// Runs `sort` over each side table (``sideTables``, taken out of this index, never copied),
    /// on another core when `onTwoCores`, while `meanwhile` sorts the usernames and emails here;
    /// each side through a ``KeyTable/SortScratch`` of its own, shared by its tables.
    mutating func sortTables(
        onTwoCores: Bool, eachSideTable sort: @escaping @Sendable (inout KeyTable, KeyTable.SortScratch) -> Void,
        meanwhile: (inout FileIndex, KeyTable.SortScratch) -> Void
    ) {
        let sorted = Self.alongside(
            Self.sideTables.map { Self.take(&self[keyPath: $0]) }, onAnotherCore: onTwoCores,
            { tables in
                let scratch = KeyTable.SortScratch()
                for table in tables.indices { sort(&tables[table], scratch) }
            },
            meanwhile: { meanwhile(&self, KeyTable.SortScratch()) })
        for (path, table) in zip(Self.sideTables, sorted) { self[keyPath: path] = table }
    }

    /// The most rows ``reserveCapacity(forRowsIn:rowsRead:bytesRead:)`` makes room for: past
    /// it, the tables grow as they fill.
    static let largestReservation = 8 << 20

    /// Makes room in the tables for the rows of `bytes` bytes of input, estimated from the
    /// `rowsRead` rows of the first `bytesRead` bytes.
    ///
    /// A table grown by doubling copied itself into new memory at each step: copies of about
    /// its final size in all, and as much memory touched for the first time (half the first
    /// pass's page faults, with the sorts' copies). Room reserved and never filled is never
    /// touched, so it costs no resident memory.
    mutating func reserveCapacity(forRowsIn bytes: Int, rowsRead: Int, bytesRead: Int) {
        guard rowsRead > 0, bytesRead > 0, bytes > bytesRead else { return }
        let estimate = bytes / bytesRead * rowsRead + (bytes % bytesRead) * rowsRead / bytesRead
        let rows = min(estimate + estimate / 16, Self.largestReservation)
        // The extension-mobility profiles are on few rows, and the new extensions kept only
        // when counted: those grow as they fill.
        for table in [\FileIndex.extensions, \.devices, \.usernames, \.emails] {
            self[keyPath: table].reserveCapacity(rows)
        }
        // Phone numbers only when the file has them: a file without sets none.
        if !phones.isEmpty { phones.reserveCapacity(rows) }
        if countsNewExtensions { newExtensions.reserveCapacity(rows) }
    }

    /// Moves in the rows `later` noted, which all come after this index's rows in the file.
    ///
    /// `lineOffset` is added to their lines: the two halves of a first pass read at once become
    /// one index. Before ``finish()`` only, on both; `later` is left empty. Each of `later`'s
    /// tables is freed as soon as it is merged in. With `onTwoCores`, the tables of extensions,
    /// devices, new extensions and extension-mobility profiles are merged on another core while
    /// this thread merges the usernames and emails: merged in place (the first pass reserves
    /// room for the whole file), two tables at once hold no more memory than one.
    mutating func append(_ later: inout FileIndex, lineOffset: Int, onTwoCores: Bool = false) {
        precondition(lineOffset >= 0, "a later half's lines are shifted forward")
        // The merges keep hash-then-line order only if every line of `later` comes after this index's.
        assert(
            (Self.sideTables + [\.usernames, \.emails]).allSatisfy { path in
                let (earlier, laterTable) = (self[keyPath: path], later[keyPath: path])
                guard let first = laterTable.entries.lazy.map(\.line).min() else { return true }
                return earlier.entries.isEmpty || Int(first) + lineOffset > earlier.maxLine()
            }, "a later half's lines come after the earlier half's")
        rowCount += later.rowCount
        partsRead += later.partsRead
        // The tables move out of both indexes, never copied: a second reference to one would
        // make the merge copy it whole.
        let merged = Self.alongside(
            (
                tables: Self.sideTables.map { Self.take(&self[keyPath: $0]) },
                later: Self.sideTables.map { Self.take(&later[keyPath: $0]) }
            ),
            onAnotherCore: onTwoCores,
            { sides in
                for table in sides.tables.indices {
                    sides.tables[table].append(&sides.later[table], lineOffset: lineOffset)
                }
            },
            meanwhile: {
                usernames.append(&later.usernames, lineOffset: lineOffset)
                emails.append(&later.emails, lineOffset: lineOffset)
            })
        for (path, table) in zip(Self.sideTables, merged.tables) { self[keyPath: path] = table }
        for (digits, entry) in later.paddedLengths {
            paddedLengths[digits, default: (0, entry.line + lineOffset)].count += entry.count
        }
        later = FileIndex()
    }

    /// The tables that ``finish(onTwoCores:)`` hands to another core: all but the usernames and
    /// emails, which are about as many entries.
    static var sideTables: [WritableKeyPath<FileIndex, KeyTable>] {
        [\.extensions, \.devices, \.phones, \.newExtensions, \.emProfiles]
    }

    /// `table`, leaving an empty table in its place: the caller holds its only reference.
    static func take(_ table: inout KeyTable) -> KeyTable {
        var taken = KeyTable()
        swap(&taken, &table)
        return taken
    }

    /// Runs `work` on `value` on another core while `meanwhile` runs on this thread, and gives
    /// back the value once both are done; without `onAnotherCore`, runs both here, one after
    /// the other (``ForkJoin/alongside(_:onAnotherThread:on:_:meanwhile:)``).
    @inline(__always)
    static func alongside<Value>(
        _ value: consuming Value, onAnotherCore: Bool, _ work: @escaping @Sendable (inout Value) -> Void,
        meanwhile: () -> Void
    ) -> Value {
        // One after the other here, so that both closures are inlined into the caller.
        guard onAnotherCore else {
            var value = value
            work(&value)
            meanwhile()
            return value
        }
        return ForkJoin.alongside(value, onAnotherThread: true, work, meanwhile: meanwhile).value
    }
}
