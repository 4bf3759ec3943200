import AudioHAL

extension LoopbackDeviceConfiguration {
    /// The parameters a loopback device spec accepts, each with the form of its value.
    public static let specParameters: [(name: String, value: String)] = [
        ("channels", "input and output channels, 1...\(maximumSpecChannels)"),
        ("inputs", "input channels, 0...\(maximumSpecChannels)"),
        ("outputs", "output channels, 0...\(maximumSpecChannels)"),
        ("rates", "the accepted rates in Hz, comma-separated (44100,48000)"),
        ("rate", "the default rate in Hz, one of the rates"),
        ("formats", "the accepted sample formats, comma-separated (s16,s24,s32,f32)"),
        ("period", "the default period in frames, within period-range"),
        ("period-range", "the periods a stream may ask for, MIN-MAX frames (16-16384)"),
        ("buffer-periods", "periods in the device buffer, 1 or more"),
        ("latency", "extra loop latency: whole frames (128), or seconds (0.01, 10ms) at the default rate"),
        ("clock", "virtual, manual or realtime: the device's clock instead of the backend's"),
        ("faults", "faults from every start, comma-separated (\(LoopbackFault.acceptedForms))"),
    ]

    /// The most channels a device described by a spec may have.
    public static let maximumSpecChannels = 1024

    /// The parameter names, for messages.
    static var specParameterNames: String { specParameters.map(\.name).joined(separator: ", ") }

    /// Describes a device by a spec `NAME?KEY=VALUE&KEY=VALUE…` (the part after
    /// `loopback:`), for example `big?channels=64&rates=48000,192000&latency=128&clock=realtime`.
    ///
    /// Parameters not given keep the values of the default device
    /// (``init(name:inputChannels:outputChannels:sampleRates:defaultSampleRate:formats:defaultFramesPerPeriod:periodRange:periodsPerBuffer:latencyFrames:faults:clock:)``);
    /// ``specParameters`` lists them all. When `rates` is given without `rate`,
    /// the default rate is 48000 Hz if listed, else the first rate; when
    /// `period-range` excludes the default period, the range's nearest end
    /// becomes the default.
    ///
    /// - Throws: ``/AudioHAL/HALError/invalidDeviceSpec(spec:reason:)`` naming the
    ///   parameter or value that is wrong and what would be accepted.
    public init(spec: String) throws(HALError) {
        let full = "\(LoopbackBackend.backendName):\(spec)"
        func invalid(_ reason: String) -> HALError { .invalidDeviceSpec(spec: full, reason: reason) }
        let parts = spec.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0])
        guard !name.isEmpty else { throw invalid("no device name before '?'; write loopback:NAME?KEY=VALUE&...") }
        guard name != DeviceSpec.defaultDevice else {
            throw invalid("'\(name)' names the backend's default device and cannot be described; pick another name")
        }
        self.init(name: name)
        guard parts.count == 2 else { return }
        var seen = Set<String>()
        var rateGiven = false
        var periodGiven = false
        var latency: String?
        for pair in parts[1].split(separator: "&", omittingEmptySubsequences: false) {
            let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(keyValue[0])
            guard keyValue.count == 2, !key.isEmpty else {
                throw invalid("'\(pair)' is not KEY=VALUE; the keys are \(Self.specParameterNames)")
            }
            guard seen.insert(key).inserted else { throw invalid("'\(key)' is given twice") }
            let value = String(keyValue[1])
            guard let parameter = Self.specParameters.first(where: { $0.name == key }) else {
                throw invalid("unknown parameter '\(key)'; accepted: \(Self.specParameterNames)")
            }
            func bad(_ why: String = "") -> HALError {
                invalid("\(key)=\(value)\(why.isEmpty ? "" : ": " + why) is not accepted; give \(parameter.value)")
            }
            func count(_ range: ClosedRange<Int>) throws(HALError) -> Int {
                guard let number = Int(value), range.contains(number) else { throw bad() }
                return number
            }
            switch key {
            case "channels":
                inputChannels = try count(1...Self.maximumSpecChannels)
                outputChannels = inputChannels
            case "inputs": inputChannels = try count(0...Self.maximumSpecChannels)
            case "outputs": outputChannels = try count(0...Self.maximumSpecChannels)
            case "rates":
                sampleRates = try value.split(separator: ",", omittingEmptySubsequences: false).map { (text) throws(HALError) in
                    guard let rate = Double(text), rate.isFinite, rate > 0, rate <= 1_000_000 else { throw bad("'\(text)' is not a rate") }
                    return rate
                }
            case "rate":
                guard let rate = Double(value), rate.isFinite, rate > 0, rate <= 1_000_000 else { throw bad() }
                defaultSampleRate = rate
                rateGiven = true
            case "formats":
                formats = try value.split(separator: ",", omittingEmptySubsequences: false).map { (text) throws(HALError) in
                    do throws(HALError) { return try SampleFormat(parsing: String(text)) } catch { throw bad("'\(text)' is not a format") }
                }
            case "period":
                defaultFramesPerPeriod = try count(1...(1 << 20))
                periodGiven = true
            case "period-range":
                let ends = value.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
                guard ends.count == 2, let low = ends[0], let high = ends[1], low >= 1, low <= high else { throw bad() }
                periodRange = low...high
            case "buffer-periods": periodsPerBuffer = try count(1...(1 << 16))
            case "latency": latency = value
            case "clock":
                switch value {
                case "virtual": clock = .virtual(.freeRunning)
                case "manual": clock = .virtual(.manual)
                case "realtime", "real-time": clock = .realTime
                default: throw bad()
                }
            default:
                faults = try value.split(separator: ",").map { (text) throws(HALError) in
                    do throws(HALError) { return try LoopbackFault(parsing: String(text)) } catch { throw bad(error.description) }
                }
            }
        }
        if !rateGiven, !sampleRates.contains(defaultSampleRate) { defaultSampleRate = sampleRates[0] }
        if !periodGiven, !periodRange.contains(defaultFramesPerPeriod) {
            defaultFramesPerPeriod = min(max(defaultFramesPerPeriod, periodRange.lowerBound), periodRange.upperBound)
        }
        if !sampleRates.contains(defaultSampleRate) {
            let hertz = { (rate: Double) in rate == rate.rounded() ? String(Int(rate)) : String(rate) }
            throw invalid("rate=\(hertz(defaultSampleRate)) is not one of rates \(sampleRates.map(hertz).joined(separator: ",")); give one of them")
        }
        if let latency {
            // Seconds become frames at the final default rate.
            guard let frames = Self.latencyFrames(latency, rate: defaultSampleRate) else {
                throw invalid("latency=\(latency) is not accepted; give \(Self.specParameters.first { $0.name == "latency" }!.value)")
            }
            latencyFrames = frames
        }
        let problems = problems()
        guard problems.isEmpty else { throw invalid(problems.joined(separator: "; ")) }
    }

    /// `128` frames, or `0.01` / `10ms` / `0.01s` seconds at `rate` Hz rounded
    /// to whole frames; `nil` for anything else, or more than 10 s.
    private static func latencyFrames(_ value: String, rate: Double) -> Int? {
        if let frames = Int(value) { return (0...(1 << 20)).contains(frames) ? frames : nil }
        var text = Substring(value)
        var scale = 1.0
        if text.hasSuffix("ms") {
            text = text.dropLast(2)
            scale = 0.001
        } else if text.hasSuffix("s") {
            text = text.dropLast()
        }
        guard let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds * scale <= 10 else { return nil }
        return Int((seconds * scale * rate).rounded())
    }
}
