import Testing

/// Every loopback suite runs inside this one, one test at a time: real-time
/// clock tests must not compete for the two cores with free-running streams.
@Suite(.serialized) struct Loopback {}
