import ArgumentParser

/// The documented exit codes, after sysexits.h, as swift-argument-parser's `ExitCode` values.
extension ExitCode {
    /// Some rows were rejected.
    static let rowsRejected = ExitCode(1)
    /// The command line was wrong (EX_USAGE).
    static let usage = ExitCode(64)
    /// The input data is malformed (EX_DATAERR).
    static let dataError = ExitCode(65)
    /// The input file does not exist or cannot be opened (EX_NOINPUT).
    static let noInput = ExitCode(66)
    /// Reading or writing failed (EX_IOERR).
    static let ioError = ExitCode(74)
    /// The database is locked by another process (EX_TEMPFAIL).
    static let databaseBusy = ExitCode(75)
}
