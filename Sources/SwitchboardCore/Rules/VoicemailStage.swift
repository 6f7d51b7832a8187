/// Checks the voicemail digit length (`voicemail.digit-length`), after Mitel.
///
/// A mailbox wanted on an extension whose digit count differs from `digit_length` is a
/// warning when `on_mismatch` is `drop-mailbox` (the row goes in without a mailbox) and
/// an error when it is `reject`. `digit_length = 0` turns the rule off.
public struct VoicemailStage: RowStage {
    public init() {}

    public func check(_ row: NormalizedRow, context: RowContext, findings: inout FindingList) {
        let rules = context.policy.voicemail
        guard rules.digitLength > 0, row.voicemail == true,
            let digits = row.withBytes(of: .extensionNumber, { $0.count }), digits != rules.digitLength
        else { return }
        // Written in one allocation: this warning is on most rows of some files.
        let drops = rules.onMismatch == .dropMailbox
        let capacity = ByteWriter.wordsCapacity + digits + row.byteCount(of: .site)
        let message = String(capacity: capacity) { text in
            text.put("extension ")
            text.put(extensionOf: row)
            text.put(" has ")
            text.put(digits)
            text.put(" digits but mailboxes need ")
            text.put(rules.digitLength)
            if drops { text.put("; the row goes in without a mailbox") }
        }
        findings.add(.voicemailDigitLength, drops ? .warning : .error, .voicemail, message)
    }
}
