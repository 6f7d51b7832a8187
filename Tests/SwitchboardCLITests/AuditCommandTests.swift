import Foundation
import Testing

@Suite("switchboard audit", .serialized)
struct AuditCommandTests {
    static let onboarding = Binary.packageRoot.appendingPathComponent("samples/onboarding.csv").path

    /// Today's default report folder, as the command names it.
    static var todaysFolder: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        return "audit-" + formatter.string(from: Date())
    }

    @Test("Nightly use: three files in audit-YYYY-MM-DD, exit 0 with warnings only, 1 with --fail-on warning")
    func nightly() throws {
        let directory = try scratchDirectory()
        _ = try Binary.run(["import", Self.onboarding], in: directory)
        let first = try Binary.run(["audit"], in: directory)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("8 findings: 0 errors, 8 warnings"))
        #expect(first.stdout.contains("audit.e911-unconfirmed: 8"))
        #expect(first.stdout.contains("PASS (fail on error)"))
        let folder = directory.appendingPathComponent(Self.todaysFolder)
        for name in ["findings.csv", "summary.json", "report.html"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "\(name)")
        }
        let csv = try String(contentsOf: folder.appendingPathComponent("findings.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("severity,code,username,site,extension,field,message\n"))
        #expect(csv.split(separator: "\n").count == 9)

        let strict = try Binary.run(
            ["audit", "--fail-on", "warning", "--format", "json", "--out", "strict"], in: directory)
        #expect(strict.status == 1)
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(strict.stdout.utf8)) as? [String: Any])
        for key in ["profiles", "findings", "by_code", "by_severity", "trend"] {
            #expect(summary[key] != nil, "\(key)")
        }
        #expect(summary["profiles"] as? Int == 8)
        #expect((summary["trend"] as? [Any])?.count == 2)
        let written = try String(contentsOf: directory.appendingPathComponent("strict/summary.json"), encoding: .utf8)
        #expect(written == strict.stdout)
        #expect(
            try SQLiteShell.query(
                directory.appendingPathComponent("switchboard.sqlite").path, "SELECT count(*) FROM audit_runs") == "2\n"
        )
    }

    @Test("Confirming the E911 addresses clears the warnings; --format html prints the page")
    func confirmAndHTML() throws {
        let directory = try scratchDirectory()
        _ = try Binary.run(["import", Self.onboarding], in: directory)
        let usernames = ["ihashemi", "bnakamura", "tmueller", "ayilmaz", "mokafor"]
        _ = try Binary.run(["confirm-e911"] + usernames, in: directory)
        let result = try Binary.run(["audit", "--format", "html", "--out", "out"], in: directory)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("<!DOCTYPE html>"))
        let page = try String(contentsOf: directory.appendingPathComponent("out/report.html"), encoding: .utf8)
        #expect(result.stdout == page)
        // What a person sees: the page the command wrote, rendered by headless Chromium through
        // the project's own script, filtered by its address.
        let shown = try Self.render(directory.appendingPathComponent("out/report.html#severity=warning").path)
        #expect(shown.contains("Showing 3 of 3 findings"), "\(shown.suffix(2000))")
        #expect(shown.contains(">PASS<"))
        let json = try Binary.run(["audit", "--format", "json", "--out", "out2"], in: directory)
        #expect(json.stdout.contains("\"audit.e911-unconfirmed\": \(8 - usernames.count)"))
    }

    @Test("No database is 66 and creates none; a report folder that is a file is 74; a bad policy names its line")
    func failures() throws {
        let directory = try scratchDirectory()
        let missing = try Binary.run(["audit", "--db", "none.sqlite"], in: directory)
        #expect(missing.status == 66)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("none.sqlite").path))
        _ = try Binary.run(["import", Self.onboarding], in: directory)
        try Data("x".utf8).write(to: directory.appendingPathComponent("taken"))
        let blocked = try Binary.run(["audit", "--out", "taken"], in: directory)
        #expect(blocked.status == 74)
        #expect(blocked.stderr.contains("taken"))
        try Data("[passcode]\nmax_age_days = -1\n".utf8).write(to: directory.appendingPathComponent("bad.toml"))
        let policy = try Binary.run(["audit", "--policy", "bad.toml", "--out", "p"], in: directory)
        #expect(policy.status == 65)
        #expect(policy.stderr.contains("bad.toml:2: [passcode] max_age_days must be 0 to 36500"))
    }

    /// The DOM of a page after its script ran, from `scripts/render_report.sh` (headless Chromium).
    static func render(_ page: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Binary.packageRoot.appendingPathComponent("scripts/render_report.sh").path, page]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(
            process.terminationStatus == 0,
            "render_report.sh failed: is chromium installed (scripts/install-chromium.sh)?")
        return String(decoding: data, as: UTF8.self)
    }
}
