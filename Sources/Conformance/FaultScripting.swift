/// A way to make the device itself stall, for backends whose clock a sleeping
/// callback cannot disturb (a virtual clock, where sleeping costs no device time).
///
/// The loopback backend's front end implements it with a scripted `stall`
/// fault; `xrun.detect` uses it when the stream's clock is virtual and says so.
public protocol DeviceStallScripting: Sendable {
    /// Arranges for the next stream started on the target devices to stall for
    /// `frames` frames at device frame `position` (counted from that start).
    ///
    /// - Returns: a short description for the report ("scripted loopback fault stall@24000:1024").
    func scheduleStall(at position: Int64, frames: Int) throws -> String
    /// Removes the stall arranged by ``scheduleStall(at:frames:)``.
    func clearStall()
}
