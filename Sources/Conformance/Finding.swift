/// One thing a check found wrong, typed so tests and the self-test can ask for
/// its kind and figures instead of words in a sentence.
///
/// A check's message is its findings' sentences joined by semicolons.
public struct Finding: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What kind of fault a finding is.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Signal frames never came back (`figure`: how many).
        case framesMissing = "frames-missing"
        /// Frames that were never played came back (`figure`: how many).
        case framesExtra = "frames-extra"
        /// Frames came back changed (`figure`: how many).
        case framesDiffer = "frames-differ"
        /// The signal came back for a while, then nothing matched.
        case signalLost = "signal-lost"
        /// The signal was not found in the capture.
        case signalNotFound = "signal-not-found"
        /// The capture is silent: nothing came back at all.
        case silentCapture = "silent-capture"
        /// The capture ended before the signal was back.
        case captureEnded = "capture-ended"
        /// Channels came back exchanged, or a channel carries another's signal (`channel`).
        case channelsSwapped = "channels-swapped"
        /// Two capture channels carry the same played channel (`channel`: the copy).
        case channelDuplicated = "channel-duplicated"
        /// A channel comes back at a constant gain (`figure`: dB).
        case gain
        /// A channel comes back with its polarity inverted.
        case polarityInverted = "polarity-inverted"
        /// A channel comes back with a constant offset added (`figure`: in full scale).
        case dcOffset = "dc-offset"
        /// The path quantises the signal to fewer bits than it was played with (`figure`: bits kept).
        case quantised
        /// The signal-to-noise ratio is below the limit (`figure`: dB).
        case lowSNR = "low-snr"
        /// A converted format or rate comes back at the wrong level (`figure`: dB).
        case levelError = "level-error"
        /// An xrun the check did not provoke (`figure`: how many).
        case xrun
        /// A provoked stall was not reported as an xrun, or reported elsewhere.
        case xrunNotReported = "xrun-not-reported"
        /// The stream stopped running.
        case streamStopped = "stream-stopped"
        /// The device clock drifts beyond the limit (`figure`: ppm).
        case drift
        /// The measured round-trip latency is unstable or unlike the reported one (`figure`: frames).
        case latency
        /// The device ran at the wrong speed (`figure`: percent off).
        case speed
        /// The stream was granted something other than what was asked.
        case notGranted = "not-granted"
        /// Available counts or positions were inconsistent.
        case accounting
        /// A chunk read differs from the continuous recording.
        case chunkMismatch = "chunk-mismatch"
        /// Stop, abort or restart did not behave.
        case lifecycle
        /// File descriptors, threads or memory leaked (`figure`: how many, or KiB).
        case leak
        /// An impossible request was accepted, or refused with the wrong error.
        case refusal
        /// A device is missing from the list or describes itself wrongly.
        case listing
        /// The device went away during the check.
        case deviceLost = "device-lost"
        /// A step did not finish in its time.
        case timeout
    }

    /// What kind of fault this is.
    public var kind: Kind
    /// The capture frame where it happens, if it has one.
    public var frame: Int?
    /// The channel it concerns, if one.
    public var channel: Int?
    /// Its figure (a count, decibels, ppm; ``Kind`` says which), if it has one.
    public var figure: Double?
    /// The finding in one precise sentence.
    public var message: String

    /// Creates a finding; see the properties for their meaning.
    public init(_ kind: Kind, _ message: String, frame: Int? = nil, channel: Int? = nil, figure: Double? = nil) {
        self.kind = kind
        self.message = message
        self.frame = frame
        self.channel = channel
        self.figure = figure
    }

    /// The sentence.
    public var description: String { message }

    /// The same finding with `more` after its sentence.
    public func appending(_ more: String) -> Finding {
        var copy = self
        copy.message += more
        return copy
    }

    /// The same finding with `context` put in front of its sentence.
    public func prefixed(_ context: String) -> Finding {
        var copy = self
        copy.message = context + message
        return copy
    }
}

extension Array where Element == Finding {
    /// The findings' sentences joined by semicolons: a check's message.
    public var message: String { map(\.message).joined(separator: "; ") }
}
