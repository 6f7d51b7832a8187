import Foundation
import SwitchboardCSV

/// Removes the temporary files being written when Ctrl-C, SIGTERM or SIGHUP stops the process.
///
/// The signals are blocked in every thread and taken by one thread that waits for them
/// (`sigwait`), so the removal runs as ordinary code, not in a signal handler; then the
/// signal's default action ends the process as it would have. A signal the process was
/// started ignoring (`nohup`) stays ignored.
enum SignalCleanup {
    /// Blocks the signals and starts the thread that takes them; call once, before any other thread starts.
    static func install() {
        var set = sigset_t()
        sigemptyset(&set)
        for number in [SIGINT, SIGTERM, SIGHUP] {
            var current = sigaction()
            sigaction(number, nil, &current)
            if unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self)
                == unsafeBitCast(SIG_IGN, to: Int.self)
            {
                continue
            }
            sigaddset(&set, number)
        }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let blocked = set
        let thread = Thread {
            var waitedFor = blocked
            var number: Int32 = 0
            guard sigwait(&waitedFor, &number) == 0 else { return }
            TemporaryFiles.removeAll()
            signal(number, SIG_DFL)
            var only = sigset_t()
            sigemptyset(&only)
            sigaddset(&only, number)
            pthread_sigmask(SIG_UNBLOCK, &only, nil)
            raise(number)
        }
        thread.start()
    }
}
