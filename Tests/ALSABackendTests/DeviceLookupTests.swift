import AudioHAL
import CallCounting
import Testing

@testable import ALSABackend

/// Looking one device up opens that device's PCMs, not every PCM there is.
@Suite(.serialized)
struct DeviceLookupTests {
    @Test("device(id:) opens only the PCMs of the device asked for")
    func lookupOpensOneDevice() throws {
        let backend = ALSABackend()
        CallCounting_resetOpens()
        let info = try backend.device(id: "null")
        let opens = CallCounting_pcmOpens()
        #expect(info.id == "null")
        #expect(info.maxOutputChannels > 0)
        CallCounting_resetOpens()
        _ = Enumeration.devices()
        let listing = CallCounting_pcmOpens()
        print("device(id: null): \(opens) PCM opens; the whole listing: \(listing)")
        // One open per direction, and those alsa-lib's hint listing makes for
        // it (its description); the whole listing opens every PCM both ways.
        #expect(opens <= 4, "device(id: \"null\") opened \(opens) PCMs")
        #expect(opens < listing, "device(id: \"null\") opened \(opens) PCMs, as many as the whole listing (\(listing))")
    }

    @Test("an unknown id is an error listing the devices there are")
    func unknownIdListsDevices() {
        #expect {
            _ = try ALSABackend().device(id: "no-such-pcm")
        } throws: { error in
            guard case HALError.unknownDevice("no-such-pcm", "alsa", let available) = error else { return false }
            return available.contains("null")
        }
    }
}
