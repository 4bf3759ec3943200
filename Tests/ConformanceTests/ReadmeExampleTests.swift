// The README's "From your own tests" example, word for word from its first import of Conformance to the end of
// backendConforms(), so it keeps compiling and passing; the last test checks the README still quotes it.
import Foundation
import Conformance
import LoopbackBackend
import Testing

@Test func backendConforms() throws {
    // Your backend here, and your devices: ConformanceTarget(inputDevice: "in", outputDevice: "out", ...).
    let suite = ConformanceSuite(backend: LoopbackBackend(), target: ConformanceTarget(duration: 1))
    let report = try suite.run(checks: ["loopback.integrity", "xrun.clean"])  // or run() for all
    #expect(report.passed, "\(report.formattedText())")
}

@Test func readmeQuotesThisExample() throws {
    let here = URL(fileURLWithPath: #filePath)
    let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    let source = try String(contentsOf: here, encoding: .utf8)
    // The example: from its first import to the end of backendConforms().
    let start = try #require(source.range(of: "\nimport Conformance\n")).lowerBound..<source.endIndex
    let end = try #require(source.range(of: "\n}\n", range: start))
    let example = String(source[source.index(after: start.lowerBound)..<end.upperBound])
    let quoted = readme.contains(example)
    #expect(quoted, "README.md no longer quotes Tests/ConformanceTests/ReadmeExampleTests.swift")
}
