#if canImport(Glibc)
import Glibc
#endif

/// The kernel's sound cards as `/proc/asound/cards` lists them, so that a
/// PortAudio ALSA device named `… (hw:C,D)` carries its card's driver, as the
/// ALSA backend's devices do (`Loopback` for snd-aloop, a digital loop).
enum ALSACards {
    /// The driver name snd-aloop's cards report.
    static let loopbackDriver = "Loopback"

    /// Card number → driver, from lines such as ` 1 [Loopback       ]: Loopback - Loopback`; empty without `/proc/asound`.
    static func drivers(listing path: String = "/proc/asound/cards") -> [Int: String] {
        guard let file = fopen(path, "r") else { return [:] }
        defer { fclose(file) }
        var text = ""
        var line = [CChar](repeating: 0, count: 512)
        while fgets(&line, Int32(line.count), file) != nil {
            text += line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        }
        return parse(text)
    }

    /// Card number → driver in the text of `/proc/asound/cards`.
    static func parse(_ text: String) -> [Int: String] {
        var drivers: [Int: String] = [:]
        for line in text.split(separator: "\n") {
            let trimmed = line.drop(while: { $0 == " " })
            guard let space = trimmed.firstIndex(of: " "), let card = Int(trimmed[..<space]),
                let close = trimmed.firstIndex(of: "]")
            else { continue }
            // `]: DRIVER - NAME`
            let rest = trimmed[trimmed.index(after: close)...].dropFirst(2)
            let driver = rest.split(separator: " - ", maxSplits: 1, omittingEmptySubsequences: false).first ?? rest
            drivers[card] = String(driver)
        }
        return drivers
    }

    /// The card number in a PortAudio ALSA device name ending `(hw:C,D)`, if any.
    static func cardNumber(inDeviceName name: String) -> Int? {
        guard name.hasSuffix(")"), let open = name.lastIndex(of: "(") else { return nil }
        let inside = name[name.index(after: open)...]
        guard inside.hasPrefix("hw:") else { return nil }
        return Int(inside.dropFirst(3).prefix(while: \.isNumber))
    }
}
