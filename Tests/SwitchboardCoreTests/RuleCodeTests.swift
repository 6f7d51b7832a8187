import SwitchboardCore
import Testing

@Suite("Rule codes")
struct RuleCodeTests {
    @Test("Codes compare and print by their stable raw value")
    func rawValues() {
        #expect(RuleCode.extensionDuplicateInFile.rawValue == "extension.duplicate-in-file")
        #expect(RuleCode(rawValue: "email.taken") == .emailTaken)
        #expect("\(RuleCode.passcodeHistory)" == "passcode.history")
    }
}
