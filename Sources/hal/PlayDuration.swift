/// A length given on the command line: `-d 10:00`, `1:02:03.5`, `90`, or
/// `480000s` (samples, as in sox).
struct PlayDuration: Equatable, CustomStringConvertible {
    /// The two ways a length is given.
    enum Amount: Equatable {
        /// A time in seconds.
        case seconds(Double)
        /// A count of sample frames.
        case frames(Int)
    }

    /// The length as given.
    var amount: Amount

    /// The forms accepted, for error messages and help.
    static let usage = "SECONDS (90, 2.5), MM:SS (10:00), HH:MM:SS[.FRACTION] (1:02:03.5), or FRAMESs (480000s)"

    /// Parses `text`; `nil` when it is none of the forms in ``usage``.
    init?(_ text: String) {
        if text.hasSuffix("s") {
            guard let count = Int(text.dropLast()), count >= 0, text.first != "+" else { return nil }
            amount = .frames(count)
            return
        }
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...3).contains(fields.count) else { return nil }
        var seconds = 0.0
        for (index, field) in fields.enumerated() {
            let last = index == fields.count - 1
            // Every field is digits; only the last may carry a fraction.
            guard !field.isEmpty, field.allSatisfy({ $0.isASCII && ($0.isNumber || (last && $0 == ".")) }),
                field.filter({ $0 == "." }).count <= 1, field.first != ".", field.last != ".",
                let value = Double(field)
            else { return nil }
            // Minutes and seconds after a colon stay below 60.
            if index > 0, value >= 60 { return nil }
            seconds = seconds * 60 + value
        }
        guard seconds.isFinite else { return nil }
        amount = .seconds(seconds)
    }

    /// The length in frames at `rate` Hz, rounded to the nearest frame.
    func frames(at rate: Int) -> Int {
        switch amount {
        case .frames(let count): count
        case .seconds(let seconds): Int((seconds * Double(rate)).rounded())
        }
    }

    var description: String {
        switch amount {
        case .frames(let count): "\(count)s"
        case .seconds(let seconds): "\(seconds) s"
        }
    }
}
