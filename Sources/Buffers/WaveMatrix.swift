/// A typed view of a ``WaveMap``'s samples: a matrix (or, for mono, a vector)
/// indexed in the map's ``WaveMap/Order``, reading and writing the mapping
/// directly. The view keeps the mapping alive.
///
/// Indices out of range trap (they are programmer errors); setting a sample
/// of a read-only map traps too.
public struct WaveMatrix<Sample: WaveSample>: @unchecked Sendable {
    /// Keeps the mapping alive as long as the view.
    let owner: AnyObject
    @usableFromInline let base: UnsafeMutableRawPointer
    /// Frames in the file.
    public let frames: Int
    /// Samples per frame.
    public let channels: Int
    /// How rows and columns map to frames and channels.
    public let order: WaveMap.Order
    /// Whether the view is one-dimensional (a mono file not kept 2-D).
    public let isVector: Bool
    /// Whether samples can be set.
    public let isWritable: Bool

    /// `[frames]`, `[frames, channels]` or `[channels, frames]`.
    public var shape: [Int] {
        if isVector { return [frames] }
        return order == .framesByChannels ? [frames, channels] : [channels, frames]
    }

    /// The sample of `channel` in `frame`, whatever the order.
    @inlinable
    public subscript(frame frame: Int, channel channel: Int) -> Sample {
        get { base.loadUnaligned(fromByteOffset: byteOffset(frame, channel), as: Sample.self) }
        nonmutating set {
            precondition(isWritable, "WaveMatrix: the map is read-only")
            base.storeBytes(of: newValue, toByteOffset: byteOffset(frame, channel), as: Sample.self)
        }
    }

    /// The element at `row`, `column` of the matrix in its ``order``.
    @inlinable
    public subscript(row: Int, column: Int) -> Sample {
        get { order == .framesByChannels ? self[frame: row, channel: column] : self[frame: column, channel: row] }
        nonmutating set {
            if order == .framesByChannels { self[frame: row, channel: column] = newValue } else {
                self[frame: column, channel: row] = newValue
            }
        }
    }

    /// The sample of a one-dimensional (mono) view at `index`.
    @inlinable
    public subscript(index: Int) -> Sample {
        get {
            precondition(isVector, "WaveMatrix: one index needs a one-dimensional view; this one is \(shape)")
            return self[frame: index, channel: 0]
        }
        nonmutating set {
            precondition(isVector, "WaveMatrix: one index needs a one-dimensional view; this one is \(shape)")
            self[frame: index, channel: 0] = newValue
        }
    }

    @usableFromInline
    func byteOffset(_ frame: Int, _ channel: Int) -> Int {
        precondition(frame >= 0 && frame < frames, "WaveMatrix: frame \(frame) is outside 0..<\(frames)")
        precondition(channel >= 0 && channel < channels, "WaveMatrix: channel \(channel) is outside 0..<\(channels)")
        return (frame * channels + channel) * MemoryLayout<Sample>.stride
    }
}
