import Foundation
import Testing

@testable import SwitchboardCore

/// Reads the package's own files, for tests that hold the docs to the code.
enum PackageFiles {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// Every `RuleCode(rawValue: "…")` and `CSVIssueCode(rawValue: "…")` literal in Sources/.
    static func codesDefinedInSources() throws -> Set<String> {
        var codes = Set<String>()
        let sources = root.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
        for case let file as URL in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for marker in ["RuleCode(rawValue: \"", "CSVIssueCode(rawValue: \""] {
                var rest = text[...]
                while let start = rest.range(of: marker) {
                    rest = rest[start.upperBound...]
                    guard let end = rest.firstIndex(of: "\"") else { break }
                    let code = String(rest[..<end])
                    if code.contains(".") { codes.insert(code) }
                    rest = rest[end...]
                }
            }
        }
        return codes
    }
}

@Suite("The rule catalogue")
struct RuleCatalogueTests {
    @Test("Every code defined in the sources is in docs/rules.md with its severity, and every code there is defined")
    func everyCodeDocumented() throws {
        let document = try PackageFiles.read("docs/rules.md")
        let defined = try PackageFiles.codesDefinedInSources()
        #expect(defined.count > 40)
        for code in defined.sorted() {
            #expect(document.contains("| `\(code)` |"), "\(code) is not in docs/rules.md")
        }
        let documented = document.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `") else { return nil }
            return line.dropFirst(3).prefix { $0 != "`" }.description
        }
        #expect(Set(documented) == defined)
    }
}
