extension RuleCode {
    // MARK: Optional policy checks (off by default)

    /// The passcode holds fewer different digits than `min_distinct_digits` asks (Cisco: at least 3).
    public static let passcodeDistinctDigits = RuleCode(rawValue: "passcode.distinct-digits")
    /// The passcode is a group of digits repeated, such as `408408` (`block_repeated_groups`).
    public static let passcodeRepeatedGroup = RuleCode(rawValue: "passcode.repeated-group")
    /// The passcode holds a straight line of keys on the keypad, such as `2580` (`block_keypad_lines`).
    public static let passcodeKeypadLine = RuleCode(rawValue: "passcode.keypad-line")
    /// The passcode holds the dial-by-name digits of the user's first or last name (`block_name_digits`).
    public static let passcodeNameDigits = RuleCode(rawValue: "passcode.name-digits")
    /// The password contains the username or the extension (`block_username`, `block_extension`).
    public static let passwordContainsIdentity = RuleCode(rawValue: "password.contains-identity")
}
