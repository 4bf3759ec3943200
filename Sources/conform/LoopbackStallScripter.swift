import Conformance
import LoopbackBackend

/// Scripts device stalls on the loopback backend with its `stall` fault, on top of any injected faults.
final class LoopbackStallScripter: DeviceStallScripting, @unchecked Sendable {
    let devices: [LoopbackDevice]
    let injected: [LoopbackFault]

    init(devices: [LoopbackDevice], injected: [LoopbackFault]) {
        self.devices = devices
        self.injected = injected
    }

    func scheduleStall(at position: Int64, frames: Int) throws -> String {
        let stall = LoopbackFault.stall(at: position, frames: frames)
        for device in devices { device.setFaults(injected + [stall]) }
        return "scripted loopback fault \(stall)"
    }

    func clearStall() {
        for device in devices { device.setFaults(injected) }
    }
}
