import AudioHAL

/// The pairing of an ALSA loopback card (`snd-aloop`): what is played on
/// subdevice `,0` of the card comes back on capture subdevice `,1`.
public struct LoopbackCardPairing: Sendable, Hashable {
    /// The playback device id (`hw:1,0`).
    public var output: String
    /// The capture device id (`hw:1,1`).
    public var input: String

    /// Creates a pairing of two device ids.
    public init(output: String, input: String) {
        self.output = output
        self.input = input
    }

    /// A sentence for the report.
    public var note: String {
        "ALSA loopback card: playing on \(output) and capturing on \(input) (snd-aloop loops playback subdevice ,0 to capture ,1)"
    }

    /// The pairing for `deviceID` when `info` describes a loopback card and the
    /// id names the card (`hw:N`) or its first device (`hw:N,0`); `nil` otherwise.
    ///
    /// A card counts as a loopback card when it says it is a digital loop or its driver is `Loopback` / `snd_aloop`.
    public static func pair(deviceID: String, info: DeviceInfo?) -> LoopbackCardPairing? {
        guard let info else { return nil }
        let driver = (info.driver ?? "").lowercased()
        guard info.isDigitalLoopback || driver == "loopback" || driver.contains("aloop") else { return nil }
        for prefix in ["hw:", "plughw:"] where deviceID.hasPrefix(prefix) {
            let rest = deviceID.dropFirst(prefix.count)
            let parts = rest.split(separator: ",", omittingEmptySubsequences: false)
            guard let card = parts.first, !card.isEmpty, card.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
            if parts.count == 1 || (parts.count == 2 && parts[1] == "0") {
                return LoopbackCardPairing(output: "\(prefix)\(card),0", input: "\(prefix)\(card),1")
            }
            return nil
        }
        return nil
    }
}
