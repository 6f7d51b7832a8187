import Foundation
import GRDB
import SwitchboardCore

/// Claims: a row taking an extension, email or device another profile holds, allowed only when
/// that profile's own rows give it up; and the snapshot each changed profile leaves for undo.
extension Applier {
    // MARK: - Claims

    /// Checks that the row's extension, email and device are free or given up by their holders'
    /// rows, and takes the email from its holder; throws a ``LateRejection`` when a holder keeps one.
    func claimsAreFree(_ row: StagedRow, profileID: Int64?) throws {
        if let number = row.number, !number.isEmpty,
            let holder = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT p.id, p.username_key FROM extension e JOIN profile p ON p.id = e.profile_id
                        WHERE e.site_key = ? AND e.number = ?
                        """), arguments: [row.siteKey, number]),
            (holder["id"] as Int64) != profileID,
            try !givesUp(holder["username_key"], .extension(siteKey: row.siteKey, number: number))
        {
            throw rejection(
                row, .extensionTaken, .extension, "the extension's holder keeps it: its own row was not applied")
        }
        var emailHolder: Int64?
        if let email = nonEmpty(row.email), (row.type ?? .user) == .user,
            let holder = try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT id, username_key FROM profile WHERE email_key = ? AND type = 'user'"),
                arguments: [NormalizedRow.fold(email)]),
            (holder["id"] as Int64) != profileID
        {
            guard try givesUp(holder["username_key"], .email(NormalizedRow.fold(email))) else {
                throw rejection(row, .emailTaken, .email, "the email's holder keeps it: its own row was not applied")
            }
            emailHolder = holder["id"]
        }
        if let device = nonEmpty(row.deviceName),
            let holder = try Row.fetchOne(
                db.cachedStatement(
                    sql:
                        "SELECT p.id, p.username_key FROM device d JOIN profile p ON p.id = d.profile_id WHERE d.name_key = ?"
                ), arguments: [NormalizedRow.fold(device)]),
            (holder["id"] as Int64) != profileID,
            try !givesUp(holder["username_key"], .device(NormalizedRow.fold(device)))
        {
            throw rejection(
                row, .deviceTaken, .deviceName, "the device's holder keeps it: its own row was not applied")
        }
        if let holderID = emailHolder, let email = row.email {
            try touch(holderID)
            try db.cachedStatement(
                sql: "UPDATE profile SET email = NULL, email_key = NULL, updated_at = ? WHERE id = ?"
            ).execute(arguments: [now, holderID])
            try recordFor(try username(of: holderID), line: row.line, .updated, "email", email, nil)
        }
    }

    enum Claim {
        case `extension`(siteKey: String, number: String)
        case email(String)
        case device(String)
    }

    /// Whether `holderKey`'s staged rows give up `claim`: a disable or delete, or a new value.
    func givesUp(_ holderKey: String, _ claim: Claim) throws -> Bool {
        if !stagedIndexed {
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS temp.staged_user ON staged(username_key)")
            stagedIndexed = true
        }
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM temp.staged WHERE username_key = ?"), arguments: [holderKey]
        ).map(StagedRow.init(row:))
        return rows.contains { row in
            switch (row.action, claim) {
            case (.delete, _): return true
            case (.disable, .extension), (.disable, .device): return true
            case (.disable, .email): return false
            case (_, .extension(let siteKey, let number)):
                guard policy.profile.maxExtensions == 1, let new = row.number else { return false }
                return new.isEmpty || new != number || row.siteKey != siteKey
            case (_, .email(let key)):
                guard let new = row.email else { return false }
                return new.isEmpty || NormalizedRow.fold(new) != key
            case (_, .device(let key)):
                guard let new = row.deviceName else { return false }
                return new.isEmpty || NormalizedRow.fold(new) != key
            }
        }
    }

    /// Parks the extension `siteKey`/`number` held by another profile, recording it under its holder.
    func evictExtension(siteKey: String, number: String, from profileID: Int64, line: Int) throws {
        guard
            let holder = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, profile_id, site FROM extension WHERE site_key = ? AND number = ?"),
                arguments: [siteKey, number]),
            (holder["profile_id"] as Int64?) != profileID
        else { return }
        if let owner = holder["profile_id"] as Int64? { try touch(owner) }
        try db.cachedStatement(sql: "UPDATE extension SET number = NULL WHERE id = ?").execute(arguments: [
            holder["id"] as Int64
        ])
        parked = true
        let holderSite: String = holder["site"]
        parkedLabels[holder["id"]] = holderSite.isEmpty ? number : "\(number)@\(holderSite)"
        if let owner = holder["profile_id"] as Int64? {
            let site: String = holder["site"]
            try recordFor(
                try username(of: owner), line: line, .updated, "extension", site.isEmpty ? number : "\(number)@\(site)",
                nil)
        }
    }

    /// Keeps the profile as it was before this run's first change to it, for undo; call before each write.
    func touch(_ profileID: Int64) throws {
        guard let runID, !createdIDs.contains(profileID), snapshotted.insert(profileID).inserted else { return }
        try insertSnapshot.execute([.integer(runID), .integer(profileID)])
    }
}
