import AudioHAL
import CPortAudio
import Testing

@testable import PortAudioBackend

/// PortAudio's pieces that need no sound server.
@Suite("PortAudio without a server")
struct StatusMappingTests {
    @Test("every PortAudio status flag maps to its CallbackStatus bit")
    func statusFlags() {
        #expect(callbackStatus(PaStreamCallbackFlags(paInputUnderflow)) == .inputUnderflow)
        #expect(callbackStatus(PaStreamCallbackFlags(paInputOverflow)) == .inputOverflow)
        #expect(callbackStatus(PaStreamCallbackFlags(paOutputUnderflow)) == .outputUnderflow)
        #expect(callbackStatus(PaStreamCallbackFlags(paOutputOverflow)) == .outputOverflow)
        #expect(callbackStatus(PaStreamCallbackFlags(paPrimingOutput)) == .primingOutput)
        #expect(callbackStatus(0) == [])
    }

    @Test("a host buffer's time is its capture time, its play time without input, PortAudio's current time without either")
    func hostBufferTimes() {
        var time = PaStreamCallbackTimeInfo(inputBufferAdcTime: 9.9, currentTime: 10, outputBufferDacTime: 10.2)
        #expect(PortAudioCallbacks.hostBufferTime(&time, hasInput: true) == 9.9)
        #expect(PortAudioCallbacks.hostBufferTime(&time, hasInput: false) == 10.2)
        time.inputBufferAdcTime = 0
        #expect(PortAudioCallbacks.hostBufferTime(&time, hasInput: true) == 10)
        #expect(PortAudioCallbacks.hostBufferTime(nil, hasInput: true) == 0)
    }
}

/// How devices are told apart: cards by `/proc/asound/cards`, sound servers by their ALSA plugin names.
@Suite("PortAudio devices: cards and sound servers")
struct DeviceKindTests {
    @Test("/proc/asound/cards gives each card's driver; a device name ending (hw:C,D) gives its card")
    func cards() {
        let listing = """
             0 [Dummy          ]: Dummy - Dummy
                                  Dummy 1
             1 [Loopback       ]: Loopback - Loopback
                                  Loopback 1
            """
        #expect(ALSACards.parse(listing) == [0: "Dummy", 1: "Loopback"])
        #expect(ALSACards.parse("--- no soundcards ---") == [:])
        #expect(ALSACards.cardNumber(inDeviceName: "Loopback: PCM (hw:1,0)") == 1)
        #expect(ALSACards.cardNumber(inDeviceName: "HDA Intel PCH: ALC892 Analog (hw:12,3)") == 12)
        #expect(ALSACards.cardNumber(inDeviceName: "pulse") == nil)
        #expect(ALSACards.cardNumber(inDeviceName: "front (plug)") == nil)
    }

    @Test("pulse, pipewire and jack are sound servers, and default is one where they are installed")
    func servers() {
        #expect(PortAudioDevices.soundServer("pulse", among: ["pulse", "default"]))
        #expect(PortAudioDevices.soundServer("default", among: ["pulse", "default"]))
        #expect(!PortAudioDevices.soundServer("default", among: ["Loopback: PCM (hw:1,0)", "default"]))
        #expect(!PortAudioDevices.soundServer("Loopback: PCM (hw:1,0)", among: ["pulse"]))
        #expect(!PortAudioDevices.soundServer("sysdefault", among: ["pulse"]))
    }

    @Test("a latency hint gives a sound server at least 100 ms and a card PortAudio's default; seconds are kept")
    func latency() {
        #expect(PortAudioNegotiation.suggestedLatency(.low, device: device(server: false), direction: .output) == 0.009)
        #expect(PortAudioNegotiation.suggestedLatency(.high, device: device(server: false), direction: .input) == 0.035)
        #expect(PortAudioNegotiation.suggestedLatency(.low, device: device(server: true), direction: .output) == 0.1)
        #expect(PortAudioNegotiation.suggestedLatency(.seconds(0.01), device: device(server: true), direction: .output) == 0.01)
    }
}

/// An ALSA host API device of PortAudio with a sound server behind it or not, for tests without PortAudio.
func device(server: Bool) -> PortAudioDevice {
    let info = DeviceInfo(
        id: "d", name: "d", backend: "portaudio", maxInputChannels: 2, maxOutputChannels: 2, defaultSampleRate: 48_000,
        supportedSampleRates: [48_000], supportedFormats: [.int16], defaultLowInputLatency: 0.008,
        defaultHighInputLatency: 0.035, defaultLowOutputLatency: 0.009, defaultHighOutputLatency: 0.034)
    return PortAudioDevice(index: 0, hostAPI: "ALSA", isALSA: true, isSoundServer: server, info: info)
}
