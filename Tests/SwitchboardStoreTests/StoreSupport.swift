import Foundation
import GRDB
import SwitchboardCSV
import SwitchboardCore

@testable import SwitchboardStore

/// Collects what the importer hands to the reports.
struct CollectingSink: ValidationSink {
    var outcomes: [RowOutcome] = []
    mutating func begin(header: [String], mapping: HeaderMapping) throws {}
    mutating func fileFinding(_ finding: Finding) throws {}
    mutating func row(_ outcome: RowOutcome) throws { outcomes.append(outcome) }

    /// The codes of each rejected row, by line.
    var rejected: [Int: [String]] {
        Dictionary(
            outcomes.filter { !$0.isAccepted }.map { ($0.line, $0.findings.map(\.code.rawValue)) },
            uniquingKeysWith: +)
    }
}

/// A policy whose secrets hash cheaply, so tests run fast.
func testPolicy(_ change: (inout Policy) -> Void = { _ in }) -> Policy {
    var policy = Policy()
    policy.secrets.pbkdf2Rounds = 1000
    change(&policy)
    return policy
}

/// A fresh database in its own temporary folder.
final class TemporaryStore {
    let folder: URL
    let path: String
    let store: DirectoryStore
    private let ownsFolder: Bool

    init(maxPageCount: Int? = nil) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("sbstore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("test.sqlite").path
        store = try DirectoryStore(path: path, maxPageCount: maxPageCount)
        ownsFolder = true
    }

    /// Opens an existing database in another store's folder, which that store removes.
    init(existing path: String, folder: URL) throws {
        self.folder = folder
        self.path = path
        store = try DirectoryStore(path: path, create: false)
        ownsFolder = false
    }

    deinit { if ownsFolder { try? FileManager.default.removeItem(at: folder) } }

    /// Imports canonical CSV text.
    @discardableResult
    func importText(
        _ text: String, mode: ImportMode = .atomic, dryRun: Bool = false, policy: Policy = testPolicy(),
        bulkLoad: Bool = true, sourceBytes: Int? = nil, collecting sink: inout CollectingSink
    ) throws -> ImportResult {
        var request = ImportRequest(
            fileName: "test.csv", fileSHA256: Digest.sha256(of: text), policy: policy,
            policyDigest: Digest.sha256(of: PolicyFile.render(policy)), profile: nil, mode: mode, dryRun: dryRun,
            toolVersion: "test")
        request.allowsBulkLoad = bulkLoad
        request.sourceBytes = sourceBytes
        return try store.importFile(request, open: { CSVReader(bytes: Array(text.utf8)) }, reports: &sink)
    }

    @discardableResult
    func importText(
        _ text: String, mode: ImportMode = .atomic, dryRun: Bool = false, policy: Policy = testPolicy(),
        bulkLoad: Bool = true
    ) throws -> ImportResult {
        var sink = CollectingSink()
        return try importText(text, mode: mode, dryRun: dryRun, policy: policy, bulkLoad: bulkLoad, collecting: &sink)
    }

    /// Runs a query on the database and returns its rows as strings, for comparing states.
    func rows(_ sql: String) throws -> [[String]] {
        try store.access { db in
            try Row.fetchAll(db, sql: sql).map { row in
                row.databaseValues.map { value in
                    switch value.storage {
                    case .null: "NULL"
                    case .int64(let number): String(number)
                    case .double(let number): String(number)
                    case .string(let text): text
                    case .blob(let data): data.base64EncodedString()
                    }
                }
            }
        }
    }

    /// Everything the directory holds, run records aside, in a stable order.
    func directoryState() throws -> [[String]] {
        try rows("SELECT * FROM profile ORDER BY id") + rows("SELECT * FROM extension ORDER BY id")
            + rows("SELECT * FROM device ORDER BY id") + rows("SELECT * FROM em_profile ORDER BY id")
            + rows("SELECT * FROM em_profile_user ORDER BY 1, 2") + rows("SELECT * FROM passcode_history ORDER BY id")
    }

    /// Profile username -> extension label, for short assertions.
    func extensions() throws -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: try rows(
                """
                SELECT p.username, e.number || CASE WHEN e.site = '' THEN '' ELSE '@' || e.site END
                FROM extension e JOIN profile p ON p.id = e.profile_id
                """
            ).map { ($0[0], $0[1]) })
    }
}

/// The canonical header every test file starts with.
let canonicalHeader =
    "action,type,username,first_name,last_name,email,extension,site,phone_number,department,language,time_zone,voicemail,voicemail_passcode,portal_password,em_profile,device_name\n"

/// A canonical row: `action`, `username`, `extension`, and any other cells by column name.
func csvRow(_ action: String, _ username: String, ext: String = "", _ cells: [String: String] = [:]) -> String {
    var values: [String: String] = [
        "action": action, "username": username, "extension": ext,
    ]
    if action == "add" || action == "upsert" {
        values["first_name"] = "First"
        values["last_name"] = "Last"
        values["email"] = "\(username)@example.com"
    }
    values.merge(cells) { _, new in new }
    let columns = canonicalHeader.dropLast().split(separator: ",").map(String.init)
    return columns.map { values[$0] ?? "" }.joined(separator: ",") + "\n"
}
