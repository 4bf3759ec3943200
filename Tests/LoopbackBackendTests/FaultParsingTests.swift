import AudioHAL
import LoopbackBackend
import Testing

extension Loopback {
    /// Faults written as text, as on a command line.
    @Suite struct FaultParsing {
        @Test(
            "every accepted form",
            arguments: [
                ("stall@96000:4096", LoopbackFault.stall(at: 96_000, frames: 4096)),
                ("drop@48000:16", .drop(at: 48_000, frames: 16)),
                ("insert@48000:16", .insert(at: 48_000, frames: 16)),
                ("corrupt@48000", .corrupt(at: 48_000, frames: 1)),
                ("corrupt@48000:8", .corrupt(at: 48_000, frames: 8)),
                ("drift:200", .drift(ppm: 200)),
                ("drift:-150", .drift(ppm: -150)),
                ("drift:12.5", .drift(ppm: 12.5)),
                ("lost@120000", .deviceLost(at: 120_000)),
                ("stall@0:1", .stall(at: 0, frames: 1)),
            ])
        func accepted(text: String, fault: LoopbackFault) throws {
            #expect(try LoopbackFault(parsing: text) == fault)
        }

        @Test("description round-trips and kindName names the kind")
        func roundTrip() throws {
            let faults: [LoopbackFault] = [
                .stall(at: 96_000, frames: 4096), .drop(at: 1, frames: 2), .insert(at: 3, frames: 4),
                .corrupt(at: 5, frames: 1), .drift(ppm: -150), .drift(ppm: 0.25), .deviceLost(at: 120_000),
            ]
            for fault in faults {
                #expect(try LoopbackFault(parsing: fault.description) == fault)
            }
            #expect(faults.map(\.kindName) == ["stall", "drop", "insert", "corrupt", "drift", "drift", "lost"])
            #expect(LoopbackFault.stall(at: 96_000, frames: 4096).description == "stall@96000:4096")
            #expect(LoopbackFault.drift(ppm: 200).description == "drift:200")
        }

        @Test(
            "bad forms say what is wrong and what is accepted",
            arguments: [
                ("", "it is empty"),
                ("stall", "no '@'"),
                ("stall@96000", "needs a frame count"),
                ("stall@-5:10", "position '-5'"),
                ("stall@x:10", "position 'x'"),
                ("drop@100:0", "frame count '0'"),
                ("drop@100:many", "frame count 'many'"),
                ("insert@1:2:3", "too many"),
                ("lost@5:3", "position only"),
                ("drift:fast", "'fast' is not a number"),
                ("drift:nan", "is not a number"),
                ("drift:2000000", "outside"),
                ("wobble@5:5", "unknown fault kind 'wobble'"),
            ])
        func rejected(text: String, reason: String) {
            #expect {
                _ = try LoopbackFault(parsing: text)
            } throws: { error in
                guard case HALError.invalidArgument(let message) = error else { return false }
                return message.hasPrefix("fault '\(text)' is not valid") && message.contains(reason)
                    && message.contains("accepted forms: stall@FRAME:FRAMES, drop@FRAME:FRAMES, insert@FRAME:FRAMES, corrupt@FRAME")
                    && message.contains("drift:PPM, lost@FRAME")
            }
        }
    }
}
