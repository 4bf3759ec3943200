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
}
