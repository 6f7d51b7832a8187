import Testing

@testable import SwitchboardCSV

/// The 32-bit offsets a record's fields are found by, as a bound of ``CSVLimits``.
@Suite("A record's 32-bit offsets bound the limits")
struct OffsetLimitTests {
    @Test("The largest bound is accepted; one past it stops the program, at the limits or at the reader")
    func bound() async {
        let largest = CSVLimits(
            maxFieldBytes: CSVLimits.largestRecordBytes, maxRecordBytes: CSVLimits.largestRecordBytes)
        #expect(largest.maxRecordBytes == Int(UInt32.max) - 2)
        await #expect(processExitsWith: .failure) {
            _ = CSVLimits(maxRecordBytes: CSVLimits.largestRecordBytes + 1)
        }
        await #expect(processExitsWith: .failure) {
            var limits = CSVLimits()
            limits.maxFieldBytes = Int(UInt32.max)
            _ = CSVReader(bytes: [], limits: limits)
        }
    }
}
