import Foundation
import GRDB
import SwitchboardCore

/// What a row does to a profile's phone services: its extensions, their numbers, mailboxes and
/// passcodes, its device and extension-mobility profile; attach, detach, the primary and sharing.
extension Applier {
    // MARK: - Phone service: extension, number, mailbox, passcode, device, extension mobility

    /// Applies the row's extension and what hangs on it; returns whether anything changed.
    func applyService(_ row: StagedRow, profileID: Int64, username: String, isNew: Bool) throws
        -> Bool
    {
        var changed = false
        var held = isNew ? [] : try extensions(of: profileID)
        var target: StoredExtension?
        if let number = row.number, number.isEmpty {
            for ext in held {
                try record(row, .updated, "extension", ext.label, nil)
                changed = true
            }
            if !held.isEmpty {
                try touch(profileID)
                try passToSharers(held, row: row)
                try db.cachedStatement(sql: "DELETE FROM extension WHERE profile_id = ?").execute(arguments: [profileID]
                )
                try db.cachedStatement(sql: "UPDATE profile SET primary_extension_id = NULL WHERE id = ?").execute(
                    arguments: [profileID])
                held = []
            }
        } else if let number = row.number {
            let siteKey = row.siteKey
            if let same = held.first(where: { $0.siteKey == siteKey && $0.number == number }) {
                target = same
            } else if var adopted = try adoptDetached(siteKey: siteKey, number: number, by: profileID) {
                try touch(profileID)
                if !held.isEmpty { try keepPrimaryMarked(profileID, before: adopted.id) }
                try record(row, .updated, "extension", nil, adopted.label)
                _ = try applyLine(row, to: &adopted, profileID: profileID, isNew: true)
                target = adopted
                changed = true
            } else {
                try evictExtension(siteKey: siteKey, number: number, from: profileID, line: row.line)
                try touch(profileID)
                let label = row.site.isEmpty ? number : "\(number)@\(row.site)"
                if policy.profile.maxExtensions == 1, let first = held.first {
                    try db.cachedStatement(sql: "UPDATE extension SET site = ?, site_key = ?, number = ? WHERE id = ?")
                        .execute(arguments: [row.site, siteKey, number, first.id])
                    try record(row, .updated, "extension", first.label, label, shownOld: parkedLabels[first.id])
                    target = first
                    target!.site = row.site
                    target!.siteKey = siteKey
                    target!.number = number
                } else {
                    if !held.isEmpty { try keepPrimaryMarked(profileID) }
                    try RawStatement(
                        db,
                        "INSERT INTO extension (profile_id, site, site_key, number, voicemail) VALUES (?, ?, ?, ?, 0)"
                    ).execute([.integer(profileID), .text(row.site), .text(siteKey), .text(number)])
                    if !isNew { try record(row, .updated, "extension", nil, label) }
                    target = StoredExtension(
                        Row([
                            "id": db.lastInsertedRowID, "site": row.site, "site_key": siteKey, "number": number,
                            "phone_number": nil, "voicemail": 0, "passcode_hash": nil,
                        ]))
                }
                changed = true
            }
        } else {
            target = held.first
        }
        if var ext = target {
            changed = try applyLine(row, to: &ext, profileID: profileID, isNew: isNew) || changed
            if row.isPrimary == 1 { changed = try markPrimary(ext, of: profileID, row: row) || changed }
        }
        changed = try applyDevice(row, profileID: profileID, isNew: isNew) || changed
        changed = try applyEMProfile(row, profileID: profileID, isNew: isNew) || changed
        return changed
    }

    /// The phone number, mailbox and passcode of one extension.
    func applyLine(_ row: StagedRow, to ext: inout StoredExtension, profileID: Int64, isNew: Bool)
        throws -> Bool
    {
        var changed = false
        let phone = row.phoneNumber.map(nonEmpty) ?? ext.phoneNumber
        let voicemail = row.voicemail ?? ext.voicemail
        let passcode = row.passcodeHash ?? ext.passcodeHash
        guard phone != ext.phoneNumber || voicemail != ext.voicemail || passcode != ext.passcodeHash else {
            return false
        }
        if !isNew {
            if phone != ext.phoneNumber { try record(row, .updated, "phone_number", ext.phoneNumber, phone) }
            if voicemail != ext.voicemail {
                try record(row, .updated, "voicemail", ext.voicemail == 1 ? "yes" : "no", voicemail == 1 ? "yes" : "no")
            }
            if passcode != ext.passcodeHash {
                try record(row, .updated, "voicemail_passcode", ext.passcodeHash, passcode)
            }
        }
        try touch(profileID)
        if passcode != ext.passcodeHash, let old = ext.passcodeHash { try pushHistory(profileID, old) }
        try RawStatement(
            db,
            """
            UPDATE extension SET phone_number = ?, voicemail = ?, passcode_hash = ?,
                passcode_must_change = CASE WHEN passcode_hash IS ? THEN passcode_must_change ELSE ? END,
                passcode_set_at = CASE WHEN passcode_hash IS ? THEN passcode_set_at ELSE ? END,
                phone_changed_at = CASE WHEN phone_number IS ? THEN phone_changed_at ELSE ? END
            WHERE id = ?
            """
        ).execute([
            .optional(phone), .integer(Int64(voicemail)), .optional(passcode), .optional(passcode),
            .integer(row.passcodeMustChange ? 1 : 0), .optional(passcode), .text(now), .optional(phone), .text(now),
            .integer(ext.id),
        ])
        changed = true
        ext.phoneNumber = phone
        ext.voicemail = voicemail
        ext.passcodeHash = passcode
        return changed
    }

    func applyDevice(_ row: StagedRow, profileID: Int64, isNew: Bool) throws -> Bool {
        guard let name = row.deviceName else { return false }
        let key = NormalizedRow.fold(name)
        var changed = false
        if !isNew {
            let held = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT id, name, name_key FROM device WHERE profile_id = ?"),
                arguments: [profileID])
            if !name.isEmpty && held.count == 1 && (held[0]["name_key"] as String) == key { return false }
            for device in held where name.isEmpty || (device["name_key"] as String) != key {
                try touch(profileID)
                try db.cachedStatement(sql: "DELETE FROM device WHERE id = ?").execute(arguments: [
                    device["id"] as Int64
                ])
                try record(row, .updated, "device_name", device["name"], nil)
                changed = true
            }
            guard !name.isEmpty, !held.contains(where: { ($0["name_key"] as String) == key }) else { return changed }
        } else if name.isEmpty {
            return false
        }
        try touch(profileID)
        try claiming(row, profileID: profileID, free: { try evictDevice(key: key, line: row.line) }) {
            try insertDevice.execute([.text(name), .text(key), .integer(profileID)])
        }
        if !isNew { try record(row, .updated, "device_name", nil, name) }
        return true
    }

    /// Takes the device `key` from its holder, recording it under the holder.
    func evictDevice(key: String, line: Int) throws {
        guard
            let holder = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, name, profile_id FROM device WHERE name_key = ?"), arguments: [key])
        else { return }
        try touch(holder["profile_id"])
        try db.cachedStatement(sql: "DELETE FROM device WHERE id = ?").execute(arguments: [holder["id"] as Int64])
        try recordFor(try username(of: holder["profile_id"]), line: line, .updated, "device_name", holder["name"], nil)
    }

    func applyEMProfile(_ row: StagedRow, profileID: Int64, isNew: Bool) throws -> Bool {
        guard let name = row.emProfile, !(isNew && name.isEmpty) else { return false }
        let key = NormalizedRow.fold(name)
        let held = isNew ? [] : try emProfiles(of: profileID)
        if !name.isEmpty && held.contains(where: { $0.key == key }) && policy.profile.maxExtensions > 1 {
            return false
        }
        if !name.isEmpty && held.count == 1 && held[0].key == key { return false }
        var changed = false
        if name.isEmpty || policy.profile.maxExtensions == 1 {
            for other in held where other.key != key {
                try touch(profileID)
                try db.cachedStatement(sql: "DELETE FROM em_profile_user WHERE profile_id = ? AND em_profile_id = ?")
                    .execute(arguments: [profileID, other.id])
                try record(row, .updated, "em_profile", other.name, nil)
                changed = true
            }
        }
        guard !name.isEmpty else { return changed }
        let emID = try emProfileIDs.id(of: name, key: key, in: db, runID: runID, now: now)
        try touch(profileID)
        try RawStatement(db, ProfileInserts.emProfileUser)
            .execute([.integer(emID), .integer(profileID)])
        if !isNew { try record(row, .updated, "em_profile", nil, name) }
        return true
    }

    // MARK: - Phone services: attach, detach, primary, sharing

    /// Associates the row's extension with the profile as one more phone service.
    ///
    /// An extension nobody holds is made; a detached one is taken with its mailbox; one another
    /// profile holds is shared under `[extension] allow_shared`, else the row fails late.
    func attach(_ profile: StoredProfile, _ row: StagedRow) throws -> RowResult {
        guard let number = nonEmpty(row.number) else { return .unchanged }
        let siteKey = row.siteKey
        let label = row.site.isEmpty ? number : "\(number)@\(row.site)"
        var changed = false
        var ext = try storedExtension(siteKey: siteKey, number: number)
        if let found = ext, try found.profileID == profile.id || holdsShare(found.id, profile.id) {
            // Held already: only the primary mark may change.
        } else if let found = ext, found.profileID == nil {
            try touch(profile.id)
            try keepPrimaryMarked(profile.id)
            ext = try adoptDetached(siteKey: siteKey, number: number, by: profile.id)
            try record(row, .updated, "extension", nil, found.label)
            changed = true
        } else if let found = ext, let holder = found.profileID {
            guard policy.extension.allowShared else {
                throw rejection(
                    row, .extensionTaken, .extension,
                    "extension \(label) belongs to profile \(try username(of: holder)); [extension] allow_shared is false"
                )
            }
            try touch(profile.id)
            try keepPrimaryMarked(profile.id)
            try db.cachedStatement(sql: "INSERT INTO extension_holder (extension_id, profile_id) VALUES (?, ?)")
                .execute(arguments: [found.id, profile.id])
            try record(row, .updated, "shared_extension", nil, found.label)
            changed = true
        } else {
            try touch(profile.id)
            try keepPrimaryMarked(profile.id)
            try db.cachedStatement(
                sql: "INSERT INTO extension (profile_id, site, site_key, number, voicemail) VALUES (?, ?, ?, ?, 0)"
            ).execute(arguments: [profile.id, row.site, siteKey, number])
            try record(row, .updated, "extension", nil, label)
            ext = try storedExtension(siteKey: siteKey, number: number)
            changed = true
        }
        if let ext, row.isPrimary == 1 { changed = try markPrimary(ext, of: profile.id, row: row) || changed }
        if changed { try touchUpdatedAt(profile.id) }
        return changed ? .updated : .unchanged
    }

    /// Disassociates the row's extension from the profile; the extension stays, with its
    /// mailbox, held by a profile that shares it or by none.
    func detach(_ profile: StoredProfile, _ row: StagedRow) throws -> RowResult {
        guard let number = nonEmpty(row.number), let ext = try storedExtension(siteKey: row.siteKey, number: number),
            try ext.profileID == profile.id || holdsShare(ext.id, profile.id)
        else {
            throw rejection(row, .extensionNotHeld, .extension, "the profile does not hold this extension any more")
        }
        let owned = ext.profileID == profile.id
        let services = try extensions(of: profile.id).count + sharedExtensions(of: profile.id).count
        if services > 1, try primaryService(of: profile.id)?.id == ext.id {
            throw rejection(
                row, .extensionPrimaryInUse, .extension,
                "the extension is the profile's primary phone service and the profile holds others")
        }
        try touch(profile.id)
        if owned {
            try passToSharers([ext], row: row)
            try db.cachedStatement(sql: "UPDATE extension SET profile_id = NULL WHERE id = ? AND profile_id = ?")
                .execute(arguments: [ext.id, profile.id])
            try record(row, .updated, "extension", ext.label, nil)
        } else {
            try db.cachedStatement(sql: "DELETE FROM extension_holder WHERE extension_id = ? AND profile_id = ?")
                .execute(arguments: [ext.id, profile.id])
            try record(row, .updated, "shared_extension", ext.label, nil)
        }
        try db.cachedStatement(
            sql: "UPDATE profile SET primary_extension_id = NULL WHERE id = ? AND primary_extension_id = ?"
        ).execute(arguments: [profile.id, ext.id])
        try touchUpdatedAt(profile.id)
        return .updated
    }

    /// Makes `ext` the profile's primary phone service; returns whether that changed anything.
    func markPrimary(_ ext: StoredExtension, of profileID: Int64, row: StagedRow) throws -> Bool {
        let current = try primaryService(of: profileID)?.id
        guard current != ext.id else { return false }
        try touch(profileID)
        try db.cachedStatement(sql: "UPDATE profile SET primary_extension_id = ? WHERE id = ?").execute(arguments: [
            ext.id, profileID,
        ])
        let old = try current.flatMap { id in try storedExtension(id: id)?.label }
        try record(row, .updated, "primary", old, ext.label)
        return true
    }

    /// The id of the profile's primary phone service, and whether it is marked: the one marked,
    /// else the first it holds, else the first it shares; `ignoring` one of its services.
    func primaryService(of profileID: Int64, ignoring newcomer: Int64? = nil) throws -> (id: Int64, isMarked: Bool)? {
        let marked = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT primary_extension_id FROM profile WHERE id = ?"), arguments: [profileID])
        let held = try (extensions(of: profileID) + sharedExtensions(of: profileID)).map(\.id).filter { $0 != newcomer }
        if let marked, held.contains(marked) { return (marked, true) }
        return held.first.map { ($0, false) }
    }

    /// Marks the profile's primary phone service, if it has one, before it gains another
    /// (`before`, when that one is already the profile's): a profile of several services always has
    /// its primary marked, so an export can say which it is and a re-import keeps it.
    func keepPrimaryMarked(_ profileID: Int64, before newcomer: Int64? = nil) throws {
        guard let primary = try primaryService(of: profileID, ignoring: newcomer), !primary.isMarked else { return }
        try db.cachedStatement(sql: "UPDATE profile SET primary_extension_id = ? WHERE id = ?").execute(arguments: [
            primary.id, profileID,
        ])
    }

    /// Hands each of `lines` that other profiles share to the first of them, which holds it from
    /// now on (`extension.shared`); the others are left for the caller to remove.
    func passToSharers(_ lines: [StoredExtension], row: StagedRow) throws {
        for ext in lines {
            guard
                let sharer = try Int64.fetchOne(
                    db.cachedStatement(
                        sql:
                            "SELECT profile_id FROM extension_holder WHERE extension_id = ? ORDER BY profile_id LIMIT 1"
                    ), arguments: [ext.id])
            else { continue }
            try touch(sharer)
            try db.cachedStatement(sql: "DELETE FROM extension_holder WHERE extension_id = ? AND profile_id = ?")
                .execute(arguments: [ext.id, sharer])
            try db.cachedStatement(sql: "UPDATE extension SET profile_id = ? WHERE id = ?").execute(arguments: [
                sharer, ext.id,
            ])
            let name = try username(of: sharer)
            try recordFor(name, line: row.line, .updated, "shared_extension", ext.label, nil)
            try recordFor(name, line: row.line, .updated, "extension", nil, ext.label)
        }
    }

    /// Gives the detached extension `siteKey`/`number`, if there is one, to `profileID`, mailbox
    /// and all; nil when no detached extension has that number.
    func adoptDetached(siteKey: String, number: String, by profileID: Int64) throws -> StoredExtension? {
        guard var ext = try storedExtension(siteKey: siteKey, number: number), ext.profileID == nil else { return nil }
        if let runID {
            try db.cachedStatement(sql: ProfileSnapshot.keepDetachedSQL).execute(arguments: [runID, ext.id])
        }
        try db.cachedStatement(sql: "UPDATE extension SET profile_id = ? WHERE id = ?").execute(arguments: [
            profileID, ext.id,
        ])
        ext.profileID = profileID
        return ext
    }

    /// Sets the profile's update time.
    func touchUpdatedAt(_ profileID: Int64) throws {
        try db.cachedStatement(sql: "UPDATE profile SET updated_at = ? WHERE id = ?").execute(arguments: [
            now, profileID,
        ])
    }
}
