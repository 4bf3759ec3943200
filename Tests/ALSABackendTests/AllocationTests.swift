import AllocationCounting
import AudioHAL
import Synchronization
import Testing

@testable import ALSABackend

/// Keeps a value alive so the optimizer cannot remove the control's allocation.
@inline(never)
func keepAliveOnALSAThread(_ value: [Float]) -> Int { value.count }

/// Counts heap allocations on the ALSA driver's audio thread, after warm-up,
/// over at least 10,000 periods of a duplex callback stream: the driver's
/// loop, alsa-lib's per-period calls (`snd_pcm_status`, `avail_update`,
/// `readi`, `writei`, `poll`), the engine and the callback. A control whose
/// callback allocates proves the counter sees that thread.
enum ALSAAllocationCount {
    static let measuredPeriods = 10_000
    static let warmUpPeriods = 200

    final class Probe: Sendable {
        let periods = Atomic<Int>(0)
        let allocate = Atomic<Bool>(false)
    }

    struct Result {
        /// Allocations not attributed to a library named in the run.
        var allocations: Int
        /// Allocations whose call stack passed through an attributed library.
        var attributed: Int
        /// Code ranges of the attributed libraries found.
        var attributedRanges: Int
        var periods: Int
        var xruns: Int
        var configuration: String
    }

    /// The first of `candidates` (rate, period) that opens, so the 10,000 periods take as little time as the device allows.
    static func open(
        backend: ALSABackend, input: String, output: String, candidates: [(rate: Double, period: Int)], probe: Probe,
        window: AudioThreadAllocations.Window
    ) throws -> (AudioStream, String) {
        var refusals: [String] = []
        for candidate in candidates {
            let configuration = StreamConfiguration(
                sampleRate: candidate.rate,
                input: StreamParameters(device: input, channels: 2, format: .int16),
                output: StreamParameters(device: output, channels: 2, format: .int16),
                framesPerPeriod: candidate.period, realTimePriority: true)
            do {
                let stream = try backend.openStream(configuration) { input, output, info in
                    window.watchCurrentThread()
                    for index in 0..<min(input.count, output.count) {
                        output[index] = input[index]
                    }
                    if probe.allocate.load(ordering: .relaxed) {
                        _ = keepAliveOnALSAThread([Float](repeating: 0, count: info.frames))
                        _ = keepAliveOnALSAThread([Float](repeating: 1, count: info.frames))
                    }
                    probe.periods.add(1, ordering: .relaxed)
                    return .continue
                }
                return (stream, "\(Int(candidate.rate)) Hz, \(candidate.period)-frame periods")
            } catch {
                refusals.append("\(Int(candidate.rate)) Hz / \(candidate.period): \(error)")
            }
        }
        throw HALError.invalidConfiguration("no candidate configuration opened: \(refusals.joined(separator: "; "))")
    }

    /// The control needs fewer periods to show the counter works.
    static let controlPeriods = 1_000

    static func run(
        input: String, output: String, candidates: [(rate: Double, period: Int)], allocating: Bool,
        attributingTo libraries: [String] = []
    ) throws -> Result {
        let measuredPeriods = allocating ? controlPeriods : measuredPeriods
        let probe = Probe()
        probe.allocate.store(allocating, ordering: .relaxed)
        let window = AudioThreadAllocations.Window(attributingTo: libraries)
        let (stream, description) = try open(
            backend: ALSABackend(), input: input, output: output, candidates: candidates, probe: probe, window: window)
        defer { stream.close() }
        try stream.start()
        let deadline = HostClock.monotonicSeconds() + 120
        while probe.periods.load(ordering: .relaxed) < warmUpPeriods, HostClock.monotonicSeconds() < deadline, stream.state == .running {
            HostClock.sleep(seconds: 0.002)
        }
        let xrunsBefore = stream.xruns.total
        window.begin()
        let start = probe.periods.load(ordering: .relaxed)
        while probe.periods.load(ordering: .relaxed) < start + measuredPeriods, HostClock.monotonicSeconds() < deadline, stream.state == .running {
            HostClock.sleep(seconds: 0.002)
        }
        // Periods first: a callback allocates before it counts its period, so
        // every period counted here had its allocations counted by end().
        let periods = probe.periods.load(ordering: .relaxed) - start
        let allocations = window.end()
        let xruns = stream.xruns.total - xrunsBefore
        try? stream.abort()
        return Result(allocations: allocations, attributed: window.attributedAllocations, attributedRanges: window.attributedRangeCount,
                      periods: periods, xruns: xruns, configuration: description)
    }
}

/// Tier 3: through PulseAudio's `pulse` PCM (alsa-lib's ioplug and libpulse on
/// the audio thread). Part of the serialized ``PulseTests``, so no other stream
/// competes for the CPU while it counts.
extension PulseTests {
    /// The server accepts 32-frame periods at 192 kHz: 10,000 periods in under 2 s.
    static let allocationCandidates: [(rate: Double, period: Int)] = [(192_000, 32), (192_000, 64), (96_000, 64), (48_000, 64)]

    /// The libraries behind the `pulse` PCM that allocate on the calling
    /// thread: the pulse ioplug's `snd_pcm_writei` calls libpulse's
    /// `pa_stream_write`, which allocates the queued item
    /// (`pa_pstream_send_memblock` → `pa_xmalloc`, and `pa_queue_push` when its
    /// free list is empty; seen with gdb on a plain C loop of `snd_pcm_readi` /
    /// `writei` on `pulse`, without AudioHAL). How many depends on the
    /// server's timing: 0.06 to 1.5 per period were seen.
    static let pulseLibraries = ["libpulse", "libasound_module_pcm_pulse"]

    /// Every allocation on the audio thread whose call stack does not pass
    /// through libpulse or its ALSA plugin counts, and there must be none:
    /// the backend, the engine and the callback allocate nothing.
    @Test("a duplex callback stream on pulse allocates nothing outside libpulse")
    func pulseCallbackStreamAllocations() throws {
        #expect(AudioThreadAllocations.interposerIsActive())
        let result = try ALSAAllocationCount.run(
            input: "pulse", output: "pulse", candidates: Self.allocationCandidates, allocating: false, attributingTo: Self.pulseLibraries)
        print("pulse allocations: \(result.allocations) ours and \(result.attributed) in libpulse in \(result.periods) periods (\(result.configuration), \(result.xruns) xruns)")
        #expect(result.attributedRanges > 0, "libpulse's code was not found among the loaded libraries")
        #expect(result.periods >= ALSAAllocationCount.measuredPeriods, "only \(result.periods) periods ran")
        #expect(result.allocations == 0,
                "\(result.allocations) allocations outside libpulse in \(result.periods) periods (\(result.configuration), \(result.xruns) xruns)")
    }

    @Test("control: a callback that allocates twice per period is counted on pulse as ours, not libpulse's")
    func pulseAllocationControl() throws {
        let result = try ALSAAllocationCount.run(
            input: "pulse", output: "pulse", candidates: Self.allocationCandidates, allocating: true, attributingTo: Self.pulseLibraries)
        // The window may open between a callback's two allocations: one period counts only one.
        #expect(result.allocations >= 2 * result.periods - 1, "\(result.allocations) in \(result.periods) periods")
    }
}

/// Tier 4: snd-aloop's kernel driver in the VM (capture on hw:1,1 what hw:1,0
/// plays). Part of the serialized ``KernelTests``: run beside the other kernel
/// tests it starved the emulated guest into xruns.
extension KernelTests {
    /// 2.7 ms periods: 10,000 in 27 s. The emulated guest cannot be asked for
    /// much less (192 kHz is not offered through hw:1 here, and 64-frame
    /// periods at 48 kHz xrun constantly under TCG).
    static let allocationCandidates: [(rate: Double, period: Int)] = [(96_000, 256), (48_000, 256)]

    @Test("a duplex callback stream on hw:1 (snd-aloop) allocates nothing per period")
    func hwCallbackStreamAllocations() throws {
        #expect(AudioThreadAllocations.interposerIsActive())
        let result = try ALSAAllocationCount.run(input: "hw:1,1", output: "hw:1,0", candidates: Self.allocationCandidates, allocating: false)
        print("hw:1 allocations: \(result.allocations) in \(result.periods) periods (\(result.configuration), \(result.xruns) xruns)")
        #expect(result.periods >= ALSAAllocationCount.measuredPeriods, "only \(result.periods) periods ran")
        #expect(result.allocations == 0, "\(result.allocations) allocations in \(result.periods) periods (\(result.configuration), \(result.xruns) xruns)")
    }

    @Test("control: a callback that allocates is counted on hw:1")
    func hwAllocationControl() throws {
        let result = try ALSAAllocationCount.run(input: "hw:1,1", output: "hw:1,0", candidates: Self.allocationCandidates, allocating: true)
        // The window may open between a callback's two allocations: one period counts only one.
        #expect(result.allocations >= 2 * result.periods - 1, "\(result.allocations) in \(result.periods) periods")
    }
}
