import GRDB

/// The database schema, built and upgraded by GRDB's `DatabaseMigrator`.
///
/// Every uniqueness rule of the validation pipeline has a UNIQUE index behind it, on
/// keys folded the way ``SwitchboardCore/NormalizedRow`` folds them (Unicode lowercase),
/// so the database refuses what validation would reject even if a bug let it through.
enum StoreSchema {
    /// The migrations, oldest first; a database holding one this list lacks is newer than the binary.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: directory, runs and changes") { db in
            try db.execute(sql: version1)
        }
        migrator.registerMigration("v2: audit runs") { db in
            try db.execute(sql: version2)
        }
        migrator.registerMigration("v3: display and caller-ID names, mobile numbers, must-change credentials") { db in
            try db.execute(sql: version3)
        }
        migrator.registerMigration("v4: enabled profiles in run records, phone numbers looked up") { db in
            try db.execute(sql: version4)
        }
        migrator.registerMigration("v5: extension-mobility profiles on their own") { db in
            try db.execute(sql: version5)
        }
        migrator.registerMigration("v6: phone services") { db in
            try db.execute(sql: version6)
        }
        return migrator
    }

    /// The names of the migrations this binary knows.
    static var knownMigrations: Set<String> { Set(migrator.migrations) }

    private static let version1 = """
        CREATE TABLE profile (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL,
            username_key TEXT NOT NULL,
            type TEXT NOT NULL CHECK (type IN ('user', 'common-area')),
            email TEXT,
            email_key TEXT,
            first_name TEXT,
            last_name TEXT,
            department TEXT,
            language TEXT,
            time_zone TEXT,
            status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
            password_hash TEXT,
            -- The run that added the profile: what a run added is read here, not in run_change.
            created_run_id INTEGER,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX profile_username ON profile(username_key);
        CREATE UNIQUE INDEX profile_user_email ON profile(email_key) WHERE type = 'user';

        -- A NULL number marks an extension parked during an apply, while two profiles swap numbers.
        CREATE TABLE extension (
            id INTEGER PRIMARY KEY,
            profile_id INTEGER REFERENCES profile(id) ON DELETE CASCADE,
            site TEXT NOT NULL DEFAULT '',
            site_key TEXT NOT NULL DEFAULT '',
            number TEXT,
            phone_number TEXT,
            voicemail INTEGER NOT NULL DEFAULT 0 CHECK (voicemail IN (0, 1)),
            passcode_hash TEXT,
            passcode_set_at TEXT,
            -- When the phone number last changed, and when its emergency (E911) address was confirmed.
            phone_changed_at TEXT,
            e911_confirmed_at TEXT
        );
        CREATE UNIQUE INDEX extension_number ON extension(site_key, number);
        CREATE INDEX extension_profile ON extension(profile_id);

        CREATE TABLE passcode_history (
            id INTEGER PRIMARY KEY,
            profile_id INTEGER NOT NULL REFERENCES profile(id) ON DELETE CASCADE,
            passcode_hash TEXT NOT NULL,
            replaced_at TEXT NOT NULL
        );
        CREATE INDEX passcode_history_profile ON passcode_history(profile_id, id);

        CREATE TABLE device (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            profile_id INTEGER NOT NULL REFERENCES profile(id) ON DELETE CASCADE
        );
        CREATE UNIQUE INDEX device_name ON device(name_key);
        CREATE INDEX device_profile ON device(profile_id);

        CREATE TABLE em_profile (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            created_run_id INTEGER,
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX em_profile_name ON em_profile(name_key);

        -- The users an extension-mobility profile is associated with.
        CREATE TABLE em_profile_user (
            em_profile_id INTEGER NOT NULL REFERENCES em_profile(id) ON DELETE CASCADE,
            profile_id INTEGER NOT NULL REFERENCES profile(id) ON DELETE CASCADE,
            PRIMARY KEY (em_profile_id, profile_id)
        ) WITHOUT ROWID;
        CREATE INDEX em_profile_user_profile ON em_profile_user(profile_id);

        -- What an extension-mobility profile carries: speed dials, busy lamp fields, service
        -- URLs and subscriptions. They go with it when it is deleted.
        CREATE TABLE em_profile_feature (
            id INTEGER PRIMARY KEY,
            em_profile_id INTEGER NOT NULL REFERENCES em_profile(id) ON DELETE CASCADE,
            kind TEXT NOT NULL
                CHECK (kind IN ('speed-dial', 'busy-lamp-field', 'service-url', 'service-subscription')),
            value TEXT NOT NULL
        );
        CREATE INDEX em_profile_feature_owner ON em_profile_feature(em_profile_id);

        CREATE TABLE import_run (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL DEFAULT 'import' CHECK (kind IN ('import', 'undo')),
            -- For an undo, the run it reverted; for a run reverted later, the undo that did it.
            undoes_run_id INTEGER REFERENCES import_run(id),
            undone_by_run_id INTEGER REFERENCES import_run(id),
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            file_name TEXT NOT NULL,
            file_sha256 TEXT NOT NULL,
            profile TEXT NOT NULL,
            policy_digest TEXT NOT NULL,
            mode TEXT NOT NULL CHECK (mode IN ('atomic', 'partial')),
            rows INTEGER NOT NULL,
            accepted INTEGER NOT NULL,
            rejected INTEGER NOT NULL,
            warnings INTEGER NOT NULL,
            added INTEGER NOT NULL,
            updated INTEGER NOT NULL,
            unchanged INTEGER NOT NULL,
            disabled INTEGER NOT NULL,
            deleted INTEGER NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'partial', 'rejected')),
            tool_version TEXT NOT NULL
        );

        -- One row per change a run made to a profile that existed before it: disabled,
        -- deleted, or one field changed (the profiles a run added carry its id instead). Secrets appear only as their salted hashes. Clustered by run, so a run's
        -- changes are appended, and read back, in one range.
        CREATE TABLE run_change (
            run_id INTEGER NOT NULL REFERENCES import_run(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            line INTEGER NOT NULL,
            username TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('updated', 'disabled', 'deleted')),
            field TEXT,
            old_value TEXT,
            new_value TEXT,
            PRIMARY KEY (run_id, seq)
        ) WITHOUT ROWID;

        -- Each profile a run changed, as it was before the run's first change to it: what
        -- undo restores. JSON of the profile row, its extensions, devices, extension-mobility
        -- profiles and passcode history; secrets only as their salted hashes.
        CREATE TABLE run_snapshot (
            run_id INTEGER NOT NULL REFERENCES import_run(id) ON DELETE CASCADE,
            profile_id INTEGER NOT NULL,
            username_key TEXT NOT NULL,
            snapshot TEXT NOT NULL,
            PRIMARY KEY (run_id, profile_id)
        ) WITHOUT ROWID;
        CREATE INDEX run_snapshot_user ON run_snapshot(username_key);
        """

    /// The nightly audits, for the trend each report shows against the earlier ones.
    private static let version2 = """
        CREATE TABLE audit_runs (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            policy_digest TEXT NOT NULL,
            profiles INTEGER NOT NULL,
            findings INTEGER NOT NULL,
            errors INTEGER NOT NULL,
            warnings INTEGER NOT NULL
        );
        """

    /// What vendors' files carry beyond the first schema.
    ///
    /// The name as one field, the mobile number, the caller-ID names, the import profile that
    /// added the profile, and whether a credential kept from a migration breaks the policy and
    /// must be changed. An email that is only a notification address has no key.
    private static let version3 = """
        ALTER TABLE profile ADD COLUMN display_name TEXT;
        ALTER TABLE profile ADD COLUMN mobile_number TEXT;
        ALTER TABLE profile ADD COLUMN caller_id_first_name TEXT;
        ALTER TABLE profile ADD COLUMN caller_id_last_name TEXT;
        -- The import profile of the file that added the profile: what its system needs of it.
        ALTER TABLE profile ADD COLUMN source_profile TEXT;
        ALTER TABLE profile ADD COLUMN password_must_change INTEGER NOT NULL DEFAULT 0
            CHECK (password_must_change IN (0, 1));
        ALTER TABLE extension ADD COLUMN passcode_must_change INTEGER NOT NULL DEFAULT 0
            CHECK (passcode_must_change IN (0, 1));
        -- A file without sites names an extension by its number alone.
        CREATE INDEX extension_by_number ON extension(number);
        """

    /// How many profiles a run enabled again; an index to find a phone number's holders
    /// (`phone.taken`, `audit.phone-shared`).
    private static let version4 = """
        ALTER TABLE import_run ADD COLUMN enabled INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX extension_phone ON extension(phone_number) WHERE phone_number IS NOT NULL;
        """

    /// A profile's extensions are its phone services: one is primary, and under
    /// `[extension] allow_shared` one may be shared by several profiles.
    ///
    /// `extension.profile_id` stays the extension's holder (NULL once it is detached, the
    /// extension waiting with its mailbox for another profile); `extension_holder` lists the
    /// other profiles that share it. `profile.primary_extension_id` marks the primary service
    /// when it is not the profile's first; no foreign key, so that deleting an extension costs
    /// no search of the profile table: a mark that names no service of the profile means the first.
    private static let version6 = """
        CREATE TABLE extension_holder (
            extension_id INTEGER NOT NULL REFERENCES extension(id) ON DELETE CASCADE,
            profile_id INTEGER NOT NULL REFERENCES profile(id) ON DELETE CASCADE,
            PRIMARY KEY (extension_id, profile_id)
        ) WITHOUT ROWID;
        CREATE INDEX extension_holder_profile ON extension_holder(profile_id);
        ALTER TABLE profile ADD COLUMN primary_extension_id INTEGER;
        -- A detached extension a run gave to a profile, as it was (JSON of its columns): undo
        -- detaches it again, mailbox and all.
        CREATE TABLE run_detached_extension (
            run_id INTEGER NOT NULL REFERENCES import_run(id) ON DELETE CASCADE,
            extension TEXT NOT NULL
        );
        CREATE INDEX run_detached_extension_run ON run_detached_extension(run_id);
        """

    /// Extension-mobility profiles imported as their own kind of file.
    ///
    /// A profile's description, and what it carries at numbered positions (gaps allowed): lines
    /// (extensions of the directory), speed dials, busy lamp fields and phone services. Runs
    /// record their subject; an extension-mobility profiles run records its changes in
    /// `em_run_change` and, before its first change to a profile, the profile as it was in
    /// `em_run_snapshot` (NULL for one the run added), which is what undo restores.
    private static let version5 = """
        ALTER TABLE em_profile ADD COLUMN description TEXT;
        ALTER TABLE em_profile ADD COLUMN updated_at TEXT;

        CREATE TABLE em_profile_line (
            em_profile_id INTEGER NOT NULL REFERENCES em_profile(id) ON DELETE CASCADE,
            position INTEGER NOT NULL CHECK (position >= 1),
            number TEXT NOT NULL,
            site TEXT NOT NULL DEFAULT '',
            site_key TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (em_profile_id, position)
        ) WITHOUT ROWID;
        CREATE INDEX em_profile_line_extension ON em_profile_line(site_key, number);

        CREATE TABLE em_profile_speed_dial (
            em_profile_id INTEGER NOT NULL REFERENCES em_profile(id) ON DELETE CASCADE,
            position INTEGER NOT NULL CHECK (position >= 1),
            number TEXT NOT NULL,
            label TEXT,
            PRIMARY KEY (em_profile_id, position)
        ) WITHOUT ROWID;

        CREATE TABLE em_profile_blf (
            em_profile_id INTEGER NOT NULL REFERENCES em_profile(id) ON DELETE CASCADE,
            position INTEGER NOT NULL CHECK (position >= 1),
            destination TEXT NOT NULL,
            label TEXT,
            PRIMARY KEY (em_profile_id, position)
        ) WITHOUT ROWID;

        CREATE TABLE em_profile_service (
            em_profile_id INTEGER NOT NULL REFERENCES em_profile(id) ON DELETE CASCADE,
            position INTEGER NOT NULL CHECK (position >= 1),
            name TEXT NOT NULL,
            url TEXT,
            parameters TEXT,
            PRIMARY KEY (em_profile_id, position)
        ) WITHOUT ROWID;

        -- What a run was about: users files or extension-mobility profiles files.
        ALTER TABLE import_run ADD COLUMN subject TEXT NOT NULL DEFAULT 'users'
            CHECK (subject IN ('users', 'em-profiles'));

        CREATE TABLE em_run_change (
            run_id INTEGER NOT NULL REFERENCES import_run(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            line INTEGER NOT NULL,
            em_profile TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('added', 'updated', 'deleted')),
            field TEXT,
            old_value TEXT,
            new_value TEXT,
            PRIMARY KEY (run_id, seq)
        ) WITHOUT ROWID;

        CREATE TABLE em_run_snapshot (
            run_id INTEGER NOT NULL REFERENCES import_run(id) ON DELETE CASCADE,
            name_key TEXT NOT NULL,
            snapshot TEXT,
            PRIMARY KEY (run_id, name_key)
        ) WITHOUT ROWID;
        CREATE INDEX em_run_snapshot_name ON em_run_snapshot(name_key);
        """
}
