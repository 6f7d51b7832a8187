// Read this first: how work crosses threads.
//
// Every piece of the validator that runs on another thread goes through this file: the two
// halves of a split first pass (FirstPass.swift), the index's tables sorted and merged on two
// cores (FileIndex+Merge.swift), the second pass in segments or batches (SegmentedSecondPass.swift,
// ParallelSecondPass.swift), and an import's validator beside its writer (ConcurrentValidation.swift).
//
// Two primitives are checked by hand rather than by the compiler, each with its invariant:
// - Handoff: a value one thread puts once and another takes once, after waiting for it. Put
//   and take are each checked to happen once; the semaphore orders every write before the put
//   ahead of every read after the take. What the value refers to must not be used by the
//   putting thread afterwards: each caller says why that holds.
// - Locked: state reached only under its lock.
// Everything else here (ForkJoin.start, ForkJoin.alongside, ForkJoin.inOrder, BoundedChannel)
// is built from those two and Sendable closures.
//
// Tests that guard it: ForkJoinTests (order, errors, one thread and two, the calling thread's
// share of the work), and through the validator SplitFirstPassTests, SegmentedSecondPassTests,
// SecondPassTests and ConcurrentValidationTests.

import Dispatch

/// Fork-join helpers that run work on other threads and give its results back to the calling
/// thread in a fixed order.
///
/// ```swift
/// // Sort one table on another thread while this one sorts another.
/// let (sorted, _) = ForkJoin.alongside(tables, onAnotherThread: true, { $0.sort() }, meanwhile: { names.sort() })
/// ```
package enum ForkJoin {
    /// Starts a body on a new thread of execution: Dispatch's global queue unless a caller needs
    /// another (a thread with a larger stack).
    package typealias Starter = @Sendable (@escaping @Sendable () -> Void) -> Void

    /// Runs each body on Dispatch's global queue.
    package static let globalQueue: Starter = { DispatchQueue.global().async(execute: $0) }

    /// Runs `work` on another thread and returns the handoff that its result, or its error, is
    /// put into when it ends.
    ///
    /// The caller takes the result with ``Handoff/take()``, or asks ``Handoff/isFilled`` whether
    /// it is there yet; taking it is also how the caller waits for the work to end.
    package static func start<Value>(
        on starter: Starter = globalQueue, _ work: @escaping @Sendable () throws -> Value
    ) -> Handoff<Value> {
        let result = Handoff<Value>()
        starter {
            do { result.put(try work()) } catch { result.fail(error) }
        }
        return result
    }

    /// Runs `work` on `value` on another thread while `meanwhile` runs on this one, and gives back
    /// the value and what `meanwhile` returned once both are done.
    ///
    /// Without `onAnotherThread`, both run here, `work` first. Either way neither is cut short:
    /// when one throws, the other still runs to its end, and then the error of `meanwhile` is
    /// thrown, else that of `work`. `value` is moved to the other thread and back, never copied.
    package static func alongside<Value, Result, Failure: Error>(
        _ value: consuming Value, onAnotherThread: Bool, on starter: Starter = globalQueue,
        _ work: @escaping @Sendable (inout Value) throws(Failure) -> Void,
        meanwhile: () throws(Failure) -> Result
    ) throws(Failure) -> (value: Value, result: Result) {
        guard onAnotherThread else {
            var value = value
            let worked = Swift.Result { () throws(Failure) in try work(&value) }
            let result = try meanwhile()
            try worked.get()
            return (value, result)
        }
        // The value is this thread's until it is put, the other thread's until it puts it back.
        let there = Handoff(consume value)
        let back = start(on: starter) {
            var value = try! there.take()
            try work(&value)
            return value
        }
        let result: Result
        do {
            result = try meanwhile()
        } catch {
            _ = try? back.take()
            throw error
        }
        do {
            return (try back.take(), result)
        } catch {
            // Only `work` fails `back`, and it throws only `Failure`.
            throw error as! Failure
        }
    }

    /// Makes parts `0..<count` on `workers` threads and hands each to `deliver` on this thread,
    /// in order.
    ///
    /// Each worker thread calls `worker` once for the function that makes its parts (so what it
    /// makes them with is its own), then takes, one at a time, the next part no worker has taken:
    /// a faster thread makes more of them. A worker holds at most `ahead` parts that are made and
    /// not yet given back (at least 1): it waits for the oldest to be delivered before making one
    /// more. Each part is given back to the worker that made it once delivered, and freed there, so
    /// that memory is freed by the thread that allocated it.
    ///
    /// The first error, of a part or of `deliver`, stops the run: no worker takes a part after it,
    /// every worker is waited for, and the error is thrown. With `workers` at 0, this thread
    /// makes and delivers each part itself, in order.
    package static func inOrder<Part>(
        count: Int, workers: Int, ahead: Int, worker: @escaping @Sendable () -> (Int) throws -> Part,
        deliver: (Int, inout Part) throws -> Void
    ) throws {
        guard workers > 0 else {
            let make = worker()
            for index in 0..<count {
                var part = try make(index)
                try deliver(index, &part)
            }
            return
        }
        let ahead = max(1, ahead)
        let made = (0..<count).map { _ in Handoff<Part>() }
        // Nil for a part that was not delivered: the run stopped before it.
        let givenBack = (0..<count).map { _ in Handoff<Part?>() }
        let dealer = Locked((next: 0, stopped: false))
        let finished = (0..<workers).map { _ in
            start {
                let make = worker()
                // The parts made and not yet given back, oldest first.
                var held: [Int] = []
                held.reserveCapacity(ahead)
                while true {
                    // A part is taken only once this worker may hold it, so every part taken is
                    // made at once: this thread, waiting for the parts in order, always gets the
                    // one it waits for.
                    while let oldest = held.first, held.count >= ahead || givenBack[oldest].isFilled {
                        _ = try givenBack[oldest].take()
                        held.removeFirst()
                    }
                    let taken = dealer.withLock { dealer -> Int? in
                        guard !dealer.stopped, dealer.next < count else { return nil }
                        defer { dealer.next += 1 }
                        return dealer.next
                    }
                    guard let index = taken else { break }
                    do { made[index].put(try make(index)) } catch { made[index].fail(error) }
                    held.append(index)
                }
                for index in held { _ = try givenBack[index].take() }
            }
        }
        var next = 0
        // However this ends, no part is taken after it, and every worker ends before this returns.
        defer {
            dealer.withLock { $0.stopped = true }
            while next < count {
                givenBack[next].put(nil)
                next += 1
            }
            for worker in finished { try! worker.take() }
        }
        while next < count {
            let index = next
            next += 1
            var part: Part
            do {
                part = try made[index].take()
            } catch {
                givenBack[index].put(nil)
                throw error
            }
            do {
                try deliver(index, &part)
            } catch {
                givenBack[index].put(consume part)
                throw error
            }
            givenBack[index].put(consume part)
        }
    }
}

/// A value that one thread puts once and another takes once, waiting for it.
///
/// Checked by hand, not by the compiler: ``put(_:)`` or ``fail(_:)`` is called once, by one
/// thread, and ``take()`` once, by one thread (both checked by `precondition`); the semaphore
/// makes every write of the putting thread before the put visible to the taking thread after the
/// take. The value itself is not copied: the putting thread must not use what it refers to
/// afterwards, unless that is safe to share (each caller says why).
package final class Handoff<Value>: @unchecked Sendable {
    /// Where the value stands: not yet put, put (or failed), or taken.
    private enum State {
        case empty, filled, taken
    }

    private let filled = DispatchSemaphore(value: 0)
    private var state = State.empty
    private var value: Value?
    private var failure: (any Error)?

    /// Creates an empty handoff.
    package init() {}

    /// Creates a handoff that already holds `value`.
    package init(_ value: consuming Value) {
        self.value = consume value
        state = .filled
        filled.signal()
    }

    /// Puts the value in, and wakes the thread that waits for it; call once.
    package func put(_ value: consuming Value) {
        precondition(state == .empty, "a handoff is put into once")
        self.value = consume value
        state = .filled
        filled.signal()
    }

    /// Puts an error in place of the value, which ``take()`` throws; call once, instead of ``put(_:)``.
    package func fail(_ error: any Error) {
        precondition(state == .empty, "a handoff is put into once")
        failure = error
        state = .filled
        filled.signal()
    }

    /// Waits for the value and takes it, leaving nothing behind; throws the error put instead.
    ///
    /// Call once. The value comes back with no other reference to it held here, so an array
    /// taken can be changed without being copied.
    package func take() throws -> Value {
        filled.wait()
        precondition(state == .filled, "a handoff is taken once")
        state = .taken
        if let failure {
            self.failure = nil
            throw failure
        }
        var taken: Value? = nil
        swap(&taken, &value)
        return taken!
    }

    /// Whether the value (or an error) is in, without waiting; it stays in.
    package var isFilled: Bool {
        guard filled.wait(timeout: .now()) == .success else { return false }
        filled.signal()
        return true
    }
}

/// State that several threads reach, one at a time, under a lock.
package final class Locked<State> {
    private let lock = DispatchSemaphore(value: 1)
    private var state: State

    /// Creates the lock over `state`.
    package init(_ state: State) { self.state = state }

    /// Runs `body` on the state, holding the lock.
    package func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        lock.wait()
        defer { lock.signal() }
        return try body(&state)
    }
}

// Checked by hand: the state is reached only inside withLock, one thread at a time, and it is
// itself Sendable, so nothing in it is shared unguarded.
extension Locked: @unchecked Sendable where State: Sendable {}

/// A queue of at most `capacity` elements from one producing thread to one consuming thread,
/// which the consumer can cancel.
package final class BoundedChannel<Element: Sendable>: Sendable {
    /// Thrown to the producer once the consumer has cancelled.
    package struct Cancelled: Error {}

    private let queue: Locked<(elements: [Element], cancelled: Bool)>
    /// One signal for each place free in the queue.
    private let room: DispatchSemaphore
    /// One signal for each element in the queue.
    private let ready = DispatchSemaphore(value: 0)

    /// Creates an empty channel that holds at most `capacity` elements (at least 1).
    package init(capacity: Int) {
        queue = Locked(([], false))
        // Made at 0 and raised: Dispatch stops a process that frees a semaphore below the value it
        // was made with, which a channel cancelled with elements in its queue would be.
        room = DispatchSemaphore(value: 0)
        for _ in 0..<max(1, capacity) { room.signal() }
    }

    /// Adds an element, waiting while the queue is full; throws ``Cancelled`` once the consumer has cancelled.
    package func put(_ element: Element) throws {
        room.wait()
        let cancelled = queue.withLock { queue in
            if !queue.cancelled { queue.elements.append(element) }
            return queue.cancelled
        }
        if cancelled {
            // The producer's next put does not wait either.
            room.signal()
            throw Cancelled()
        }
        ready.signal()
    }

    /// Takes the oldest element, waiting for one.
    package func take() -> Element {
        ready.wait()
        let element = queue.withLock { $0.elements.removeFirst() }
        room.signal()
        return element
    }

    /// Stops the producer: its waiting or next ``put(_:)`` throws ``Cancelled``.
    package func cancel() {
        queue.withLock { $0.cancelled = true }
        room.signal()
    }
}
