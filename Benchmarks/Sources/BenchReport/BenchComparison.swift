import Foundation
import Synchronization

/// One comparison of ours against a peer, measured over many iterations and
/// written as one line of `reports/bench.jsonl` when the benchmark ends.
///
/// The line is a JSON object with the keys `name`, `ours`, `peer`, `unit` and
/// `ratio`: `ours` and `peer` are the medians of the figures recorded, in
/// `unit`; `ratio` is the median of the per-iteration ratios, oriented so
/// that above 1 means ours did better (the peer's time over ours for
/// ``Better/smaller`` units, our rate over the peer's for ``Better/larger``).
/// Ratios are taken per iteration because both sides of an iteration run
/// back to back under the same machine load.
///
/// Record from the benchmark closure and call ``write()`` from the
/// benchmark's `teardown`, which runs once after its last iteration.
public final class BenchComparison: Sendable {
    /// Which way a unit improves.
    public enum Better: Sendable {
        /// Less is better: times, nanoseconds per chunk.
        case smaller
        /// More is better: rates, frames per second.
        case larger
    }

    /// The name written on the line.
    public let name: String
    /// The unit of `ours` and `peer`, for example "ns/chunk".
    public let unit: String
    /// Which way `unit` improves; orients the ratio.
    public let better: Better

    private let samples = Mutex<[(ours: Double, peer: Double)]>([])

    /// A comparison with nothing recorded yet.
    ///
    /// - Complexity: O(1).
    public init(name: String, unit: String, better: Better) {
        self.name = name
        self.unit = unit
        self.better = better
    }

    /// Records one iteration's figures, ours and the peer's, in ``unit``.
    ///
    /// - Complexity: amortized O(1).
    public func record(ours: Double, peer: Double) {
        samples.withLock { $0.append((ours, peer)) }
    }

    /// The ratio of one iteration, above 1 when ours did better.
    ///
    /// - Complexity: O(1).
    public func ratio(ours: Double, peer: Double) -> Double {
        switch better {
        case .smaller: peer / ours
        case .larger: ours / peer
        }
    }

    /// Medians of what was recorded: ours, the peer's and the ratio; `nil`
    /// when nothing was.
    ///
    /// - Complexity: O(n log n) in the iterations recorded.
    public func medians() -> (ours: Double, peer: Double, ratio: Double)? {
        let recorded = samples.withLock { $0 }
        guard !recorded.isEmpty else { return nil }
        return (
            median(recorded.map(\.ours)), median(recorded.map(\.peer)),
            median(recorded.map { ratio(ours: $0.ours, peer: $0.peer) }))
    }

    /// Appends the comparison's line to the report file (see
    /// ``BenchReportFile``) and forgets the figures. Writes nothing when
    /// nothing was recorded.
    ///
    /// - Throws: `BenchReportFile.WriteError` when the file cannot be written.
    public func write() throws {
        guard let (ours, peer, ratio) = medians() else { return }
        samples.withLock { $0.removeAll() }
        try BenchReportFile.append(name: name, ours: ours, peer: peer, unit: unit, ratio: ratio)
    }
}

/// The median of `values`, which must not be empty (the mean of the middle
/// two for an even count).
///
/// - Complexity: O(n log n).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
