/// A problem that stops the suite before it runs (exit code 2).
struct UsageProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
