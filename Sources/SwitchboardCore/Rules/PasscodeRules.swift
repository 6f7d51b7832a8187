/// One broken policy rule: its stable code and a sentence for people that never quotes the secret.
public struct RuleViolation: Sendable, Equatable, CustomStringConvertible {
    /// The stable code of the rule.
    public var code: RuleCode
    /// A sentence for people; it never holds the passcode or password checked.
    public var message: String

    /// Creates a violation.
    public init(code: RuleCode, message: String) {
        self.code = code
        self.message = message
    }

    /// The violation as a finding about the row starting on `line`, in the column `field`.
    public func finding(severity: Severity = .error, line: Int, field: String) -> Finding {
        Finding(code: code, severity: severity, line: line, field: field, message: message)
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// The passcodes a user has had, asked about one candidate at a time so no stored passcode is ever read back.
///
/// The store implements it on salted hashes: it hashes the candidate with each stored salt
/// and compares. To check "not the passcode in effect reversed", ``checkPasscode(_:policy:context:)``
/// asks `isCurrent` about the candidate reversed, so the store needs no plaintext for that either.
public protocol PasscodeHistory {
    /// Whether `candidate` is the passcode in effect.
    func isCurrent(_ candidate: String) -> Bool
    /// Whether `candidate` is one of the `depth` passcodes in effect before the current one.
    func isEarlier(_ candidate: String, depth: Int) -> Bool
}

/// A passcode history held as plain text in memory, for tests and examples.
public struct PlainPasscodeHistory: PasscodeHistory, Sendable, Equatable {
    /// The passcode in effect, or nil when the user has none.
    public var current: String?
    /// The passcodes in effect before the current one, the most recent first.
    public var earlier: [String]

    /// Creates a history from the passcode in effect and the ones before it, the most recent first.
    public init(current: String?, earlier: [String] = []) {
        self.current = current
        self.earlier = earlier
    }

    public func isCurrent(_ candidate: String) -> Bool { current == candidate }

    public func isEarlier(_ candidate: String, depth: Int) -> Bool { earlier.prefix(depth).contains(candidate) }
}

/// What a passcode is checked against besides the policy: the user's numbers, names and passcode history.
public struct PasscodeContext {
    /// The user's extension.
    public var `extension`: String?
    /// The user's phone number, with any punctuation (`+1 415 555 0123`); only its digits count.
    public var phoneNumber: String?
    /// The user's first name, for `block_name_digits`.
    public var firstName: String?
    /// The user's last name, for `block_name_digits`.
    public var lastName: String?
    /// The user's passcodes so far; nil for a new user.
    public var history: (any PasscodeHistory)?

    /// Creates a context; everything left out is unknown and not checked against.
    public init(
        extension: String? = nil, phoneNumber: String? = nil, firstName: String? = nil, lastName: String? = nil,
        history: (any PasscodeHistory)? = nil
    ) {
        self.extension = `extension`
        self.phoneNumber = phoneNumber
        self.firstName = firstName
        self.lastName = lastName
        self.history = history
    }
}

/// The outcome of checking a passcode cell.
public enum PasscodeVerdict: Sendable, Equatable {
    /// The cell holds the passcode in effect: no change, so nothing is checked and the row counts as unchanged.
    case unchanged
    /// The passcode is a change and was checked: every rule it breaks, none when it is acceptable.
    case checked([RuleViolation])

    /// The rules broken; none when unchanged or acceptable.
    public var violations: [RuleViolation] {
        if case .checked(let violations) = self { return violations }
        return []
    }

    /// The codes of the rules broken, in the order they are checked.
    public var codes: [RuleCode] { violations.map(\.code) }
}

/// Checks a voicemail passcode against the passcode policy (DOMAIN.md §4) and returns every rule it breaks.
///
/// A passcode equal to the one in effect is ``PasscodeVerdict/unchanged`` and is not
/// checked at all, so re-running a file is safe. Otherwise every rule is checked:
///
/// - length, counted in characters (`passcode.length`); anything but `0`-`9` is `passcode.not-digits`;
/// - the longest run of one digit (`passcode.repeated-digits`), and the longest run of digits
///   each one more, or each one less, than the one before (`passcode.sequential-digits`;
///   `12345` is a run of 5, and 9 to 0 is no step);
/// - the user's extension, phone number digits, or the phone number's last digits as many as
///   the passcode has, or any of those reversed (`passcode.user-number`);
/// - the `history` passcodes before the one in effect (`passcode.history`), and the one in
///   effect reversed (`passcode.old-reversed`);
/// - the optional checks, off by default: `passcode.distinct-digits`, `passcode.repeated-group`,
///   `passcode.keypad-line`, `passcode.name-digits`.
///
/// ```swift
/// let context = PasscodeContext(extension: "4021", history: PlainPasscodeHistory(current: "975310"))
/// checkPasscode("123458", policy: Policy().passcode, context: context).codes  // [.passcodeSequentialDigits]
/// ```
public func checkPasscode(
    _ passcode: String, policy: Policy.PasscodeRules, context: PasscodeContext
) -> PasscodeVerdict {
    var passcode = passcode
    return passcode.withUTF8 { checkPasscode(utf8: $0, policy: policy, context: context) }
}

/// ``checkPasscode(_:policy:context:)`` of the passcode whose UTF-8 is `bytes`: an ASCII
/// passcode checked against no history, nearly all of them, is never made a String.
func checkPasscode(
    utf8 bytes: UnsafeBufferPointer<UInt8>, policy: Policy.PasscodeRules, context: PasscodeContext
) -> PasscodeVerdict {
    lazy var passcode = String(decoding: bytes, as: UTF8.self)
    if let history = context.history, history.isCurrent(passcode) { return .unchanged }
    var violations: [RuleViolation] = []
    func add(_ code: RuleCode, _ message: String) { violations.append(RuleViolation(code: code, message: message)) }

    // ASCII passcodes, nearly all of them, are read byte by byte, with no array of their digits
    // unless an optional check needs one; others character by character.
    let ascii = bytes.allSatisfy { $0 < 0x80 }
    let characterDigits: [Int?]? = ascii ? nil : passcode.map(PasscodeShape.digit)
    let byteDigits = bytes.lazy.map(PasscodeShape.digit(ascii:))
    let length = characterDigits?.count ?? bytes.count
    let allDigits = length > 0 && (characterDigits?.allSatisfy { $0 != nil } ?? FieldRules.isDigits(utf8: bytes))
    let unit = allDigits || length == 0 ? "digit" : "character"

    if length < policy.minLength || length > policy.maxLength {
        let wanted =
            policy.minLength == policy.maxLength
            ? "exactly \(policy.minLength)" : "\(policy.minLength) to \(policy.maxLength)"
        add(.passcodeLength, "the passcode has \(plural(length, unit)); the policy asks for \(wanted) digits")
    }
    if length > 0 && !allDigits {
        add(.passcodeNotDigits, "the passcode holds characters other than the digits 0 to 9")
    }
    let runs = characterDigits.map { PasscodeShape.runs($0) } ?? PasscodeShape.runs(byteDigits)
    if runs.repeated > policy.maxRepeatedDigits {
        add(
            .passcodeRepeatedDigits,
            "the passcode repeats one digit \(runs.repeated) times in a row; "
                + "the policy allows at most \(policy.maxRepeatedDigits)")
    }
    if runs.sequential > policy.maxSequentialDigits {
        add(
            .passcodeSequentialDigits,
            "the passcode holds a run of \(runs.sequential) ascending or descending digits; "
                + "the policy allows at most \(policy.maxSequentialDigits)")
    }
    if allDigits, let match = userNumberMatch(bytes, policy: policy, context: context) {
        add(.passcodeUserNumber, "the passcode is \(match)")
    }
    if let history = context.history {
        if policy.history > 0 && history.isEarlier(passcode, depth: policy.history) {
            let which =
                policy.history == 1
                ? "the passcode in effect before the current one"
                : "one of the \(policy.history) passcodes in effect before the current one"
            add(.passcodeHistory, "the passcode is \(which)")
        }
        let reversed = ascii ? String(decoding: bytes.reversed(), as: UTF8.self) : String(passcode.reversed())
        if policy.blockReversedOldPasscode && history.isCurrent(reversed) {
            add(.passcodeOldReversed, "the passcode is the passcode in effect reversed")
        }
    }
    guard allDigits else { return .checked(violations) }
    lazy var values = characterDigits?.compactMap { $0 } ?? byteDigits.compactMap { $0 }
    if policy.minDistinctDigits > 0 {
        let distinct = Set(values).count
        if distinct < policy.minDistinctDigits {
            add(
                .passcodeDistinctDigits,
                "the passcode holds \(plural(distinct, "different digit")); "
                    + "the policy asks for at least \(policy.minDistinctDigits)")
        }
    }
    if policy.blockRepeatedGroups && PasscodeShape.hasRepeatedGroup(values) {
        add(.passcodeRepeatedGroup, "the passcode repeats a group of digits")
    }
    if policy.blockKeypadLines && PasscodeShape.hasKeypadLine(values) {
        add(.passcodeKeypadLine, "the passcode holds a straight line of three or more keys on the keypad")
    }
    if policy.blockNameDigits {
        for (name, label) in [(context.firstName, "first name"), (context.lastName, "last name")] {
            let nameDigits = PasscodeShape.dialByNameDigits(name ?? "")
            let holds =
                nameDigits.count >= 3
                ? values.containsSequence(nameDigits) : !nameDigits.isEmpty && values == nameDigits
            if holds {
                add(.passcodeNameDigits, "the passcode holds the dial-by-name digits of the user's \(label)")
                break
            }
        }
    }
    return .checked(violations)
}

/// Which of the user's numbers `passcode` is, as a phrase, or nil; only the kinds the policy blocks count.
///
/// Called for all-digit passcodes only. The digits of the extension, the phone number and the
/// passcode are compared in one buffer on the stack: most passcodes match none, and cost no allocation.
private func userNumberMatch(
    _ passcode: UnsafeBufferPointer<UInt8>, policy: Policy.PasscodeRules, context: PasscodeContext
) -> String? {
    guard policy.blockUserNumber || policy.blockReversedUserNumber else { return nil }
    let extensionText = context.extension ?? ""
    let phoneText = context.phoneNumber ?? ""
    let length = passcode.count
    let capacity = extensionText.utf8.count + phoneText.utf8.count + length
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(capacity, 1)) { buffer -> String? in
        func keepDigits(of bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Range<Int> {
            var end = start
            for byte in bytes where byte >= 0x30 && byte <= 0x39 {
                buffer[end] = byte
                end += 1
            }
            return start..<end
        }
        func keepDigits(of text: String, from start: Int) -> Range<Int> {
            var text = text
            return text.withUTF8 { keepDigits(of: $0, from: start) }
        }
        let extensionDigits = keepDigits(of: extensionText, from: 0)
        let phoneDigits = keepDigits(of: phoneText, from: extensionDigits.upperBound)
        let code = keepDigits(of: passcode, from: phoneDigits.upperBound)
        // The user's numbers, named only when one matches.
        func match(reversed: Bool) -> String? {
            func isCandidate(_ digits: Range<Int>) -> Bool {
                digits.count == length
                    && (0..<length).allSatisfy { offset in
                        buffer[digits.lowerBound + offset]
                            == buffer[code.lowerBound + (reversed ? length - 1 - offset : offset)]
                    }
            }
            if !extensionDigits.isEmpty && isCandidate(extensionDigits) { return "the user's extension" }
            guard !phoneDigits.isEmpty else { return nil }
            if isCandidate(phoneDigits) { return "the user's phone number" }
            if length < phoneDigits.count && isCandidate((phoneDigits.upperBound - length)..<phoneDigits.upperBound) {
                return "the last \(length) digits of the user's phone number"
            }
            return nil
        }
        if policy.blockUserNumber, let name = match(reversed: false) { return name }
        if policy.blockReversedUserNumber, let name = match(reversed: true) { return name + " reversed" }
        return nil
    }
}

/// `count` and `noun`, with an `s` unless the count is 1.
private func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

/// The shape of a run of digits: runs, repeated groups, keypad lines and dial-by-name digits.
enum PasscodeShape {
    /// The value of an ASCII digit's byte, or nil for any other byte.
    static func digit(ascii byte: UInt8) -> Int? { byte >= 0x30 && byte <= 0x39 ? Int(byte - 0x30) : nil }

    /// The value of an ASCII digit, or nil for any other character.
    static func digit(_ character: Character) -> Int? {
        guard character.isASCII, let value = character.wholeNumberValue else { return nil }
        return value
    }

    /// The longest run of one digit, and the longest run of digits each one more (or each one less) than the last.
    ///
    /// A non-digit (nil) ends both runs; 9 to 0 and 0 to 9 are no step.
    static func runs<Digits: Sequence<Int?>>(_ digits: Digits) -> (repeated: Int, sequential: Int) {
        var longestRepeated = 0
        var longestSequential = 0
        var repeated = 0
        var sequential = 0
        var direction = 0
        var previous: Int?
        for digit in digits {
            guard let digit else {
                previous = nil
                continue
            }
            if let previous {
                let step = digit - previous
                repeated = step == 0 ? repeated + 1 : 1
                if step == 1 || step == -1 {
                    sequential = step == direction ? sequential + 1 : 2
                    direction = step
                } else {
                    sequential = 1
                    direction = 0
                }
            } else {
                repeated = 1
                sequential = 1
                direction = 0
            }
            previous = digit
            longestRepeated = max(longestRepeated, repeated)
            longestSequential = max(longestSequential, sequential)
        }
        return (longestRepeated, longestSequential)
    }

    /// Whether the digits are one group written two or more times (`408408`, `121212`), or hold a group
    /// of three or more digits written twice in a row (`5408408`).
    ///
    /// A group of one digit repeated (`111111`) is left to the repeated-digits rule.
    static func hasRepeatedGroup(_ digits: [Int]) -> Bool {
        let count = digits.count
        guard count >= 4 else { return false }
        func isGroup(_ slice: ArraySlice<Int>) -> Bool { Set(slice).count >= 2 }
        for length in 2...(count / 2) where count % length == 0 {
            let group = digits[0..<length]
            if isGroup(group)
                && stride(from: length, to: count, by: length).allSatisfy({ digits[$0..<$0 + length] == group })
            {
                return true
            }
        }
        guard count >= 6 else { return false }
        for length in 3...(count / 2) {
            for start in 0...(count - 2 * length) {
                let group = digits[start..<start + length]
                if isGroup(group) && group == digits[start + length..<start + 2 * length] { return true }
            }
        }
        return false
    }

    /// Where each digit sits on a phone keypad, as (row, column): 1 2 3 / 4 5 6 / 7 8 9 / * 0 #.
    static let keypad: [(row: Int, column: Int)] = [
        (3, 1), (0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2),
    ]

    /// Whether the digits hold three keys in a row along a straight line of the keypad, either way:
    /// across (`123`), down (`2580`) or diagonally (`159`, `753`).
    static func hasKeypadLine(_ digits: [Int]) -> Bool {
        guard digits.count >= 3 else { return false }
        for index in 0...(digits.count - 3) {
            let (a, b, c) = (keypad[digits[index]], keypad[digits[index + 1]], keypad[digits[index + 2]])
            let step = (b.row - a.row, b.column - a.column)
            guard abs(step.0) <= 1, abs(step.1) <= 1, step != (0, 0) else { continue }
            if c.row - b.row == step.0 && c.column - b.column == step.1 { return true }
        }
        return false
    }

    /// Letters with marks, and ligatures, as the plain letters dialled for them.
    private static let foldedLetters: [Character: String] = {
        let groups: [(String, String)] = [
            ("àáâãäåāăą", "a"), ("çćĉċč", "c"), ("ďđð", "d"), ("èéêëēĕėęě", "e"), ("ĝğġģ", "g"), ("ĥħ", "h"),
            ("ìíîïĩīĭįı", "i"), ("ĵ", "j"), ("ķ", "k"), ("ĺļľŀł", "l"), ("ñńņňŉ", "n"), ("òóôõöøōŏő", "o"),
            ("ŕŗř", "r"), ("śŝşšș", "s"), ("ţťŧț", "t"), ("ùúûüũūŭůűų", "u"), ("ŵ", "w"), ("ýÿŷ", "y"),
            ("źżž", "z"), ("ß", "ss"), ("æ", "ae"), ("œ", "oe"), ("þ", "th"),
        ]
        var table: [Character: String] = [:]
        for (letters, plain) in groups {
            for letter in letters { table[letter] = plain }
        }
        return table
    }()

    /// The digits dialled to spell `name` on a phone keypad, where ABC is 2 and WXYZ is 9.
    ///
    /// Letters with marks dial as their plain letter (`é` as `e`); anything that is not a
    /// Latin letter (spaces, hyphens, other scripts) is skipped.
    static func dialByNameDigits(_ name: String) -> [Int] {
        var digits: [Int] = []
        for character in name.lowercased() {
            let plain = foldedLetters[character] ?? String(character)
            for scalar in plain.unicodeScalars where ("a"..."z").contains(scalar) {
                let offset = Int(scalar.value - 0x61)
                // a-c 2, d-f 3, g-i 4, j-l 5, m-o 6, p-s 7, t-v 8, w-z 9
                let key = offset < 15 ? 2 + offset / 3 : (offset < 19 ? 7 : (offset < 22 ? 8 : 9))
                digits.append(key)
            }
        }
        return digits
    }
}

extension Array where Element: Equatable {
    /// Whether `other` appears in the array as consecutive elements.
    fileprivate func containsSequence(_ other: [Element]) -> Bool {
        guard !other.isEmpty else { return true }
        guard other.count <= count else { return false }
        for start in 0...(count - other.count) where self[start..<start + other.count].elementsEqual(other) {
            return true
        }
        return false
    }
}
