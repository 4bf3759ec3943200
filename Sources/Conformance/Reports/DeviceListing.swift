import AudioHAL

/// The device table `conform --list-devices` and `hal devices` print.
public enum DeviceListing {
    /// One row per device of `backend`: spec, name, channels, rates, formats, default latencies, flags.
    ///
    /// - Throws: what the backend's enumeration throws.
    public static func table(_ backend: any AudioBackend) throws -> String {
        let rows = try backend.devices().map { device -> [String] in
            var flags: [String] = []
            if device.isDefaultInput { flags.append("default-in") }
            if device.isDefaultOutput { flags.append("default-out") }
            if device.isDigitalLoopback { flags.append("digital-loop") }
            if let driver = device.driver { flags.append("driver=\(driver)") }
            let latency = "\(MeasuredValue.format(device.defaultLowInputLatency * 1000))/\(MeasuredValue.format(device.defaultLowOutputLatency * 1000)) ms"
            return [
                "\(backend.name):\(device.id)", device.name, "\(device.maxInputChannels)/\(device.maxOutputChannels)",
                MeasuredValue.format(device.defaultSampleRate),
                device.supportedSampleRates.map { MeasuredValue.format($0 / 1000) + "k" }.joined(separator: " "),
                device.supportedFormats.map(\.rawValue).joined(separator: " "), latency, flags.joined(separator: " "),
            ]
        }
        return TextTable.render(header: ["DEVICE", "NAME", "IN/OUT", "DEFAULT HZ", "RATES", "FORMATS", "LATENCY IN/OUT", "FLAGS"], rows: rows)
    }
}
