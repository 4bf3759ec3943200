import Foundation

/// Ratios in decibels, the one place the checks compute them.
enum Decibels {
    /// An energy ratio in dB: `signal` over `noise`, `+inf` with no noise, `-inf` with no signal.
    static func energy(_ signal: Double, over noise: Double) -> Double {
        guard noise > 0 else { return .infinity }
        guard signal > 0 else { return -.infinity }
        return 10 * log10(signal / noise)
    }

    /// An amplitude ratio (a gain) in dB.
    static func amplitude(_ gain: Double) -> Double {
        energy(gain * gain, over: 1)
    }
}
