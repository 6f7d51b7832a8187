import SwitchboardCore

#if canImport(Glibc)
    import Glibc
#endif

/// A one-line progress bar on standard error: phase, percent, rows and rows per second.
///
/// It draws only when standard error is a terminal, not before the run has lasted about a
/// second, and at most ten times a second; ``finish()`` clears the line.
final class ProgressBar {
    private let totalBytes: Int
    private let enabled: Bool
    private let started = ProgressBar.now()
    private var lastDraw = 0.0
    private var drawn = false
    private var phase = ""
    private var phaseStarted = 0.0
    private var phaseStartRows = 0

    /// A bar for a file of `totalBytes` bytes; silent when `quiet` or when stderr is not a terminal.
    init(totalBytes: Int, quiet: Bool) {
        self.totalBytes = max(totalBytes, 1)
        enabled = !quiet && isatty(2) == 1
    }

    /// Redraws the bar for `progress` when it is time to.
    func update(_ progress: RunProgress) {
        guard enabled else { return }
        let now = Self.now()
        let phaseChanged = progress.phase != phase
        if phaseChanged {
            phase = progress.phase
            phaseStarted = now
            phaseStartRows = progress.rows
        }
        let elapsed = now - started
        // A new phase is drawn at once: the last report of the one before may be the last for seconds.
        guard elapsed >= 1, now - lastDraw >= 0.1 || phaseChanged else { return }
        lastDraw = now
        let fraction =
            progress.totalRows > 0
            ? Double(progress.rows) / Double(progress.totalRows)
            : Double(progress.byteOffset) / Double(totalBytes)
        let percent = Int((min(max(fraction, 0), 1) * 100).rounded(.down))
        let width = 24
        let filled = percent * width / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let line = "\r[\(bar)] \(percent)% " + Self.text(progress, rate: rate(progress, now))
        var stream = OutputStream.standardError()
        try? stream.write(line + "\u{1B}[K")
        try? stream.flush()
        drawn = true
    }

    /// The bar's words: the phase and its rows with their rate, its other counts out of all, or
    /// the phase alone.
    static func text(_ progress: RunProgress, rate: Int) -> String {
        switch progress.unit {
        case "rows": "\(progress.phase) \(progress.rows) rows, \(rate) rows/s"
        case "": progress.phase
        default: "\(progress.phase) \(progress.rows) of \(progress.totalRows) \(progress.unit)"
        }
    }

    /// The rows a second since the phase began.
    private func rate(_ progress: RunProgress, _ now: Double) -> Int {
        now > phaseStarted ? Int(Double(progress.rows - phaseStartRows) / (now - phaseStarted)) : 0
    }

    /// Clears the bar, if it was drawn.
    func finish() {
        guard drawn else { return }
        var stream = OutputStream.standardError()
        try? stream.write("\r\u{1B}[K")
        try? stream.flush()
    }

    private static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
