import AudioHAL
import Synchronization

/// Everything a loopback device played since a stream start, as interleaved
/// `Float`, up to a limit fixed (and allocated) at the start.
///
/// The audio thread appends and publishes the count with a releasing store;
/// any thread may take a ``snapshot()`` at any time.
final class CaptureBuffer: @unchecked Sendable {
    /// Samples per frame.
    let channels: Int
    /// The most frames kept.
    let capacityFrames: Int
    private let samples: UnsafeMutablePointer<Float>
    private let published = Atomic<Int>(0)

    /// Allocates room for `limitFrames` frames of `channels` channels.
    ///
    /// The memory is reserved, not touched, so a long limit costs pages only as it fills.
    init(limitFrames: Int, channels: Int) {
        self.channels = channels
        self.capacityFrames = channels > 0 ? max(0, limitFrames) : 0
        samples = .allocate(capacity: max(1, capacityFrames * channels))
    }

    deinit {
        samples.deallocate()
    }

    /// Frames captured so far.
    var frames: Int { published.load(ordering: .acquiring) }

    /// A copy of the captured frames, interleaved.
    func snapshot() -> [Float] {
        let count = published.load(ordering: .acquiring) * channels
        return Array(UnsafeBufferPointer(start: samples, count: count))
    }

    /// Appends `frames` frames of `format` samples, interleaved; what does not fit is not kept.
    ///
    /// - Complexity: O(frames × channels).
    @_noAllocation @_noLocks
    func append(_ source: UnsafeRawPointer, format: SampleFormat, frames: Int) {
        let done = published.load(ordering: .relaxed)
        let count = min(frames, capacityFrames &- done)
        if count <= 0 { return }
        SampleConversion.decode(format, from: source, into: samples + done &* channels, count: count &* channels)
        published.store(done &+ count, ordering: .releasing)
    }

    /// Appends `frames` frames of silence; what does not fit is not kept.
    ///
    /// - Complexity: O(frames × channels).
    @_noAllocation @_noLocks
    func appendSilence(frames: Int) {
        let done = published.load(ordering: .relaxed)
        let count = min(frames, capacityFrames &- done)
        if count <= 0 { return }
        (samples + done &* channels).initialize(repeating: 0, count: count &* channels)
        published.store(done &+ count, ordering: .releasing)
    }
}
