import AudioHAL

/// Which device channel each data channel goes to (output) or comes from
/// (input): pastream's `txmapping` and `rxmapping`, counted from 0.
///
/// `[1, 0]` on a stereo output plays the data's left channel on the device's
/// right and the other way round; `[2]` on a 4-channel input records device
/// channel 2 alone. Device channels no data channel names play silence (and
/// are not recorded). A device channel may appear once: there is no mixing
/// and no duplication.
public struct ChannelMap: Sendable, Hashable, CustomStringConvertible {
    /// Device channel of each data channel.
    public let deviceChannels: [Int]

    /// A map from data channel `k` to device channel `deviceChannels[k]`.
    public init(_ deviceChannels: [Int]) {
        self.deviceChannels = deviceChannels
    }

    /// Data channel `k` to device channel `k`, for `channels` channels.
    public static func identity(_ channels: Int) -> ChannelMap {
        ChannelMap(Array(0..<max(0, channels)))
    }

    /// Data channels the map carries.
    public var dataChannels: Int { deviceChannels.count }

    /// `[1, 0]`, as written.
    public var description: String { "\(deviceChannels)" }

    /// Checks the map against a device side of `available` channels.
    ///
    /// - Throws: ``StreamsError/invalidChannelMap(direction:map:deviceChannels:reason:)``
    ///   for an empty map, a channel outside `0..<available` or one named twice.
    public func validate(direction: Direction, available: Int) throws(StreamsError) {
        func refuse(_ reason: String) -> StreamsError {
            .invalidChannelMap(direction: direction, map: deviceChannels, deviceChannels: available, reason: reason)
        }
        guard !deviceChannels.isEmpty else { throw refuse("it is empty") }
        if let outside = deviceChannels.first(where: { $0 < 0 || $0 >= available }) {
            throw refuse("device channel \(outside) does not exist (the \(direction) has \(available))")
        }
        var seen = Set<Int>()
        if let repeated = deviceChannels.first(where: { !seen.insert($0).inserted }) {
            throw refuse("device channel \(repeated) appears twice")
        }
    }
}
