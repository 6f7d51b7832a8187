import Dispatch
import Testing

@testable import SwitchboardCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An error a test throws on purpose, told apart by its number.
private struct Planned: Error, Equatable {
    let number: Int
}

/// Whether the calling thread is `thread`.
private func isCurrent(_ thread: pthread_t) -> Bool {
    pthread_equal(thread, pthread_self()) != 0
}

/// A part that notes whether it is freed on the thread that made it.
private final class Made {
    let value: Int
    private let maker = pthread_self()
    private let freedWhereMade: Locked<[Bool]>

    init(_ value: Int, log: Locked<[Bool]>) {
        self.value = value
        freedWhereMade = log
    }

    deinit {
        let same = isCurrent(maker)
        freedWhereMade.withLock { $0.append(same) }
    }
}

/// A short pause that varies with `index`, so that parts are made out of order.
private func jitter(_ index: Int) {
    usleep(UInt32((index * 7919) % 5) * 300)
}

@Suite struct ForkJoinTests {
    @Test(arguments: [false, true])
    func alongsideRunsMeanwhileOnTheCallingThread(onAnotherThread: Bool) {
        let caller = pthread_self()
        let workThread = Locked<pthread_t?>(nil)
        var meanwhileOnCaller = false
        let (value, result) = ForkJoin.alongside(
            [1, 2, 3], onAnotherThread: onAnotherThread,
            { values in
                workThread.withLock { $0 = pthread_self() }
                values.append(4)
            },
            meanwhile: { () -> String in
                meanwhileOnCaller = isCurrent(caller)
                return "done"
            })
        #expect(value == [1, 2, 3, 4])
        #expect(result == "done")
        #expect(meanwhileOnCaller)
        let worked = workThread.withLock { $0 }!
        #expect((pthread_equal(worked, caller) != 0) == !onAnotherThread)
    }

    @Test func alongsideRunsBothAtOnceOnTwoThreads() {
        // The work waits for a signal only `meanwhile` gives: run one after the other, it would wait in vain.
        let signal = DispatchSemaphore(value: 0)
        let (signalled, _) = ForkJoin.alongside(
            false, onAnotherThread: true,
            { signalled in signalled = signal.wait(timeout: .now() + 30) == .success },
            meanwhile: { signal.signal() })
        #expect(signalled)
    }

    @Test func alongsideRunsWorkFirstOnOneThread() {
        var order: [String] = []
        let log = Locked<[String]>([])
        _ = ForkJoin.alongside(
            0, onAnotherThread: false, { _ in log.withLock { $0.append("work") } },
            meanwhile: { log.withLock { $0.append("meanwhile") } })
        order = log.withLock { $0 }
        #expect(order == ["work", "meanwhile"])
    }

    @Test(arguments: [false, true])
    func alongsideThrowsMeanwhilesErrorOnceTheWorkIsDone(onAnotherThread: Bool) {
        let workEnded = Locked(false)
        #expect(throws: Planned(number: 1)) {
            _ = try ForkJoin.alongside(
                0, onAnotherThread: onAnotherThread,
                { _ in
                    usleep(20_000)
                    workEnded.withLock { $0 = true }
                    throw Planned(number: 2)
                },
                meanwhile: { throw Planned(number: 1) })
        }
        #expect(workEnded.withLock { $0 })
    }

    @Test(arguments: [false, true])
    func alongsideThrowsTheWorksErrorAfterMeanwhile(onAnotherThread: Bool) {
        var meanwhileRan = false
        #expect(throws: Planned(number: 2)) {
            _ = try ForkJoin.alongside(
                0, onAnotherThread: onAnotherThread, { _ in throw Planned(number: 2) },
                meanwhile: { meanwhileRan = true })
        }
        #expect(meanwhileRan)
    }

    @Test(arguments: [0, 1, 2, 3])
    func inOrderDeliversEveryPartInOrder(workers: Int) throws {
        let count = 200
        let ahead = 2
        let made = Locked(0)
        let workersStarted = Locked(0)
        let freedWhereMade = Locked<[Bool]>([])
        var delivered: [Int] = []
        try ForkJoin.inOrder(
            count: count, workers: workers, ahead: ahead,
            worker: {
                workersStarted.withLock { $0 += 1 }
                return { index in
                    jitter(index)
                    made.withLock { $0 += 1 }
                    return Made(index * 10, log: freedWhereMade)
                }
            },
            deliver: { index, part in
                #expect(part.value == index * 10)
                // A worker holds at most `ahead` parts not yet given back.
                #expect(made.withLock { $0 } <= index + max(1, workers) * ahead)
                delivered.append(index)
            })
        #expect(delivered == Array(0..<count))
        #expect(workersStarted.withLock { $0 } == max(1, min(workers, count)))
        // Every part is freed on the thread that made it, once delivered.
        let freed = freedWhereMade.withLock { $0 }
        #expect(freed.count == count)
        #expect(freed.allSatisfy { $0 })
    }

    @Test(arguments: [0, 1, 2])
    func inOrderStopsAtAPartsError(workers: Int) {
        var delivered: [Int] = []
        #expect(throws: Planned(number: 37)) {
            try ForkJoin.inOrder(
                count: 100, workers: workers, ahead: 4,
                worker: {
                    { index in
                        jitter(index)
                        if index == 37 || index == 60 { throw Planned(number: index) }
                        return index
                    }
                },
                deliver: { index, _ in delivered.append(index) })
        }
        #expect(delivered == Array(0..<37))
    }

    @Test(arguments: [0, 1, 2])
    func inOrderStopsAtDeliversError(workers: Int) {
        let made = Locked(0)
        var delivered: [Int] = []
        #expect(throws: Planned(number: 5)) {
            try ForkJoin.inOrder(
                count: 1000, workers: workers, ahead: 2,
                worker: {
                    { index in
                        made.withLock { $0 += 1 }
                        return index
                    }
                },
                deliver: { index, _ in
                    if index == 5 { throw Planned(number: 5) }
                    delivered.append(index)
                })
        }
        #expect(delivered == Array(0..<5))
        // No worker takes a part after the error: the run stopped well short of the end.
        #expect(made.withLock { $0 } <= 6 + max(1, workers) * 2)
    }

    @Test func inOrderWithNoParts() throws {
        var delivered = 0
        try ForkJoin.inOrder(
            count: 0, workers: 2, ahead: 4, worker: { { $0 } }, deliver: { _, _ in delivered += 1 })
        #expect(delivered == 0)
    }

    @Test func startPutsTheResultOrTheError() throws {
        let gate = DispatchSemaphore(value: 0)
        let result = ForkJoin.start { () -> Int in
            gate.wait()
            return 42
        }
        #expect(!result.isFilled)
        gate.signal()
        #expect(try result.take() == 42)
        let failed = ForkJoin.start { () throws -> Int in throw Planned(number: 3) }
        #expect(throws: Planned(number: 3)) { try failed.take() }
    }

    @Test func handoffHoldsItsValueUntilTaken() throws {
        let handoff = Handoff<[Int]>()
        #expect(!handoff.isFilled)
        handoff.put([1, 2])
        #expect(handoff.isFilled)
        #expect(handoff.isFilled)
        #expect(try handoff.take() == [1, 2])
        #expect(try Handoff("ready").take() == "ready")
    }

    @Test func aHandoffPutTwiceOrTakenTwiceStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            let handoff = Handoff<Int>()
            handoff.put(1)
            handoff.put(2)
        }
        await #expect(processExitsWith: .failure) {
            let handoff = Handoff(1)
            _ = try? handoff.take()
            handoff.fail(CancellationError())
            _ = try? handoff.take()
        }
    }

    @Test func channelKeepsOrderAndBoundsTheProducer() {
        let channel = BoundedChannel<Int>(capacity: 3)
        let putSoFar = Locked(0)
        let producer = ForkJoin.start {
            for value in 0..<100 {
                try channel.put(value)
                putSoFar.withLock { $0 += 1 }
            }
        }
        // Three in the queue, the fourth waiting for room, however late the producer starts.
        for _ in 0..<10_000 where putSoFar.withLock({ $0 }) < 3 { usleep(1000) }
        usleep(50_000)
        #expect(putSoFar.withLock { $0 } == 3)
        let taken = (0..<100).map { _ in channel.take() }
        #expect(taken == Array(0..<100))
        #expect(throws: Never.self) { try producer.take() }
    }

    @Test func cancellingTheChannelStopsAWaitingProducer() {
        let channel = BoundedChannel<Int>(capacity: 1)
        let producer = ForkJoin.start {
            try channel.put(1)
            try channel.put(2)
        }
        usleep(20_000)
        channel.cancel()
        #expect(throws: BoundedChannel<Int>.Cancelled.self) { try producer.take() }
        #expect(throws: BoundedChannel<Int>.Cancelled.self) { try channel.put(3) }
    }

    @Test func aChannelCancelledFullIsFreed() {
        // Freed with elements in its queue and no room left: the process goes on.
        var channel: BoundedChannel<Int>? = BoundedChannel(capacity: 2)
        try? channel?.put(1)
        try? channel?.put(2)
        channel?.cancel()
        channel = nil
        #expect(channel == nil)
    }
}
