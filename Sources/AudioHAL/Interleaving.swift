/// Moves samples between interleaved (`L R L R`) and planar (`L L ... R R ...`) layouts.
public enum Interleaving {
    /// Planar `channels × frames` into interleaved `frames × channels`.
    ///
    /// - Complexity: O(frames × channels).
    @_noAllocation @_noLocks
    public static func interleave(planar: UnsafePointer<Float>, into interleaved: UnsafeMutablePointer<Float>, frames: Int, channels: Int) {
        for channel in 0..<channels {
            let source = planar + channel &* frames
            for frame in 0..<frames {
                interleaved[frame &* channels &+ channel] = source[frame]
            }
        }
    }

    /// Interleaved `frames × channels` into planar `channels × frames`.
    ///
    /// - Complexity: O(frames × channels).
    @_noAllocation @_noLocks
    public static func deinterleave(interleaved: UnsafePointer<Float>, into planar: UnsafeMutablePointer<Float>, frames: Int, channels: Int) {
        for channel in 0..<channels {
            let target = planar + channel &* frames
            for frame in 0..<frames {
                target[frame] = interleaved[frame &* channels &+ channel]
            }
        }
    }
}
