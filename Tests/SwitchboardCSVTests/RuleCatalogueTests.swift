import Foundation
import SwitchboardCSV
import Testing

@Suite("The rule catalogue")
struct RuleCatalogueTests {
    static func rulesDocument() throws -> String {
        let file = #filePath
        let root = file[..<file.range(of: "/Tests/")!.lowerBound]
        return try String(contentsOfFile: root + "/docs/rules.md", encoding: .utf8)
    }

    @Test("Every CSV code is in docs/rules.md")
    func everyCodeDocumented() throws {
        let document = try Self.rulesDocument()
        for code in CSVIssueCode.all {
            #expect(document.contains("| `\(code.rawValue)` |"), "\(code) is not in docs/rules.md")
        }
    }

    @Test("Every CSV code has a test that triggers it")
    func everyCodeTriggered() throws {
        var limits = CSVLimits()
        limits.maxFieldBytes = 4
        limits.maxFields = 3
        let triggers: [CSVIssueCode: ReadOutcome] = [
            .malformedQuote: try readAll("a\nb\"\n"),
            .fieldTooLarge: try readAll("a\nbbbbbb\n", limits: limits),
            .recordTooLarge: try readAll("a,b\n1,2,3,4\n", limits: limits),
            .delimiterMismatch: try readAll("a;b\n1;2\n", dialect: CSVDialect(delimiter: UInt8(ascii: ","))),
            .windows1252Fallback: try readAll([0xE9, 0x0A]),
            .utf16WithoutBOM: try readAll(Array("abcd\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })),
            .invalidUTF16: try readAll([0xFF, 0xFE, 0x00, 0xD8]),
        ]
        #expect(Set(triggers.keys) == Set(CSVIssueCode.all))
        for (code, outcome) in triggers {
            let found = (outcome.issues + outcome.warnings).map(\.code)
            #expect(found.contains(code), "\(code) not triggered: \(found)")
        }
    }
}
