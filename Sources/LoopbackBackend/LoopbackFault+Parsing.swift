import AudioHAL

extension LoopbackFault {
    /// The textual forms ``init(parsing:)`` accepts, for messages and help texts.
    public static let acceptedForms =
        "stall@FRAME:FRAMES, drop@FRAME:FRAMES, insert@FRAME:FRAMES, corrupt@FRAME or corrupt@FRAME:FRAMES, drift:PPM, lost@FRAME"
        + " (for example stall@96000:4096, drop@48000:16, corrupt@48000, drift:-150, lost@120000)"

    /// Parses a fault from its textual form.
    ///
    /// Accepted forms: `stall@FRAME:FRAMES`, `drop@FRAME:FRAMES`,
    /// `insert@FRAME:FRAMES`, `corrupt@FRAME` (one frame) or
    /// `corrupt@FRAME:FRAMES`, `drift:PPM` (a signed decimal, for example
    /// `drift:200` or `drift:-150`) and `lost@FRAME`. FRAME is a device frame
    /// position (0 or more), FRAMES a positive count.
    ///
    /// - Throws: ``/AudioHAL/HALError/invalidArgument(_:)`` naming the problem and the accepted forms.
    public init(parsing text: String) throws(HALError) {
        func invalid(_ reason: String) -> HALError {
            .invalidArgument("fault '\(text)' is not valid: \(reason); accepted forms: \(LoopbackFault.acceptedForms)")
        }
        if text.hasPrefix("drift:") {
            let value = String(text.dropFirst("drift:".count))
            guard let ppm = Double(value), ppm.isFinite else {
                throw invalid("'\(value)' is not a number of parts per million")
            }
            guard ppm > -1_000_000, ppm < 1_000_000 else {
                throw invalid("a drift of \(value) ppm is outside -1000000 < PPM < 1000000")
            }
            self = .drift(ppm: ppm)
            return
        }
        guard let at = text.firstIndex(of: "@") else {
            throw invalid(text.isEmpty ? "it is empty" : "no '@' before a position and no 'drift:' prefix")
        }
        let kind = String(text[..<at])
        let arguments = text[text.index(after: at)...].split(separator: ":", omittingEmptySubsequences: false)
        guard let positionText = arguments.first, let position = Int64(positionText), position >= 0 else {
            throw invalid("the position '\(arguments.first.map(String.init) ?? "")' is not a frame number of 0 or more")
        }
        func count(defaultCount: Int?) throws(HALError) -> Int {
            switch arguments.count {
            case 1:
                guard let defaultCount else { throw invalid("'\(kind)' needs a frame count after the position (\(kind)@FRAME:FRAMES)") }
                return defaultCount
            case 2:
                guard let frames = Int(arguments[1]), frames > 0 else {
                    throw invalid("the frame count '\(arguments[1])' is not a positive number")
                }
                return frames
            default:
                throw invalid("too many ':'-separated parts")
            }
        }
        switch kind {
        case "stall": self = .stall(at: position, frames: try count(defaultCount: nil))
        case "drop": self = .drop(at: position, frames: try count(defaultCount: nil))
        case "insert": self = .insert(at: position, frames: try count(defaultCount: nil))
        case "corrupt": self = .corrupt(at: position, frames: try count(defaultCount: 1))
        case "lost":
            guard arguments.count == 1 else { throw invalid("'lost' takes a position only (lost@FRAME)") }
            self = .deviceLost(at: position)
        default:
            throw invalid("unknown fault kind '\(kind)'")
        }
    }
}
