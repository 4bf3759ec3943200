// libFuzzer entry point for the WAV header parser; built by
// scripts/fuzz-wave-header.sh with the parser's sources in one module, under
// the address sanitizer, so any read outside the input is caught.

@_cdecl("LLVMFuzzerTestOneInput")
public func waveHeaderFuzzTestOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    guard let layout = try? WaveHeaderParser.parse(bytes) else { return 0 }
    // What the parser promises about a file it accepts.
    precondition(layout.frames >= 0 && layout.channels >= 1 && layout.sampleRate >= 1)
    precondition(layout.dataOffset >= 12 && layout.dataOffset + layout.dataBytes <= count, "data outside the input")
    for chunk in layout.chunks { precondition(chunk.offset >= 12 && chunk.offset + 8 <= count, "chunk header outside the input") }
    _ = layout.warnings.map(\.description)
    return 0
}
