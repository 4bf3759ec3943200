/// What a backend knows about one device.
public struct DeviceInfo: Sendable, Hashable, Codable {
    /// The backend's id for the device, as accepted in ``StreamParameters/device`` (`hw:1`, `loopback`).
    public var id: String
    /// A human-readable name.
    public var name: String
    /// The backend the device belongs to.
    public var backend: String
    /// Maximum capture channels (0 when the device cannot capture).
    public var maxInputChannels: Int
    /// Maximum playback channels (0 when the device cannot play).
    public var maxOutputChannels: Int
    /// Minimum channels a stream must open (1 for most devices).
    public var minChannels: Int
    /// The rate the device prefers.
    public var defaultSampleRate: Double
    /// Every rate the device accepts, or a representative list of standard rates it accepts.
    public var supportedSampleRates: [Double]
    /// The sample formats the device accepts.
    public var supportedFormats: [SampleFormat]
    /// Default low capture latency in seconds.
    public var defaultLowInputLatency: Double
    /// Default high capture latency in seconds.
    public var defaultHighInputLatency: Double
    /// Default low playback latency in seconds.
    public var defaultLowOutputLatency: Double
    /// Default high playback latency in seconds.
    public var defaultHighOutputLatency: Double
    /// Whether this is the backend's default capture device.
    public var isDefaultInput: Bool
    /// Whether this is the backend's default playback device.
    public var isDefaultOutput: Bool
    /// The kernel or host driver behind the device, when known (`snd_aloop`, `Loopback`).
    public var driver: String?
    /// Whether what is played comes back as input bit for bit (a digital loop such as snd-aloop).
    public var isDigitalLoopback: Bool

    /// Creates device information; see the properties for their meaning.
    public init(
        id: String, name: String, backend: String, maxInputChannels: Int, maxOutputChannels: Int, minChannels: Int = 1,
        defaultSampleRate: Double, supportedSampleRates: [Double], supportedFormats: [SampleFormat],
        defaultLowInputLatency: Double = 0, defaultHighInputLatency: Double = 0,
        defaultLowOutputLatency: Double = 0, defaultHighOutputLatency: Double = 0,
        isDefaultInput: Bool = false, isDefaultOutput: Bool = false, driver: String? = nil,
        isDigitalLoopback: Bool = false
    ) {
        self.id = id
        self.name = name
        self.backend = backend
        self.maxInputChannels = maxInputChannels
        self.maxOutputChannels = maxOutputChannels
        self.minChannels = minChannels
        self.defaultSampleRate = defaultSampleRate
        self.supportedSampleRates = supportedSampleRates
        self.supportedFormats = supportedFormats
        self.defaultLowInputLatency = defaultLowInputLatency
        self.defaultHighInputLatency = defaultHighInputLatency
        self.defaultLowOutputLatency = defaultLowOutputLatency
        self.defaultHighOutputLatency = defaultHighOutputLatency
        self.isDefaultInput = isDefaultInput
        self.isDefaultOutput = isDefaultOutput
        self.driver = driver
        self.isDigitalLoopback = isDigitalLoopback
    }

    /// Maximum channels for one direction.
    public func maxChannels(_ direction: Direction) -> Int {
        direction == .input ? maxInputChannels : maxOutputChannels
    }
}

/// The standard sample rates AudioHAL probes and reports.
public let standardSampleRates: [Double] = [8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000, 176_400, 192_000]
