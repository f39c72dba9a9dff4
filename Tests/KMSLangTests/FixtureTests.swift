import Foundation
import KMSLang
import Testing

/// Runs every `.kms` file in Fixtures/ and checks the expectations written in its comments, as
/// craftinginterpreters' `tool/bin/test.dart` does:
///
///     print(1 + 2)          # expect: 3
///     # error: 4:9: unknown name 'x'
///     # help: did you mean 'xs'?
///     # trace: 2:10 in inner
///     # args: a b
///
/// `expect` lines are matched in order against the printed output lines; `error` lines against
/// the diagnostics (`line:col: message`); `help` lines against the diagnostics' hints;
/// `trace` lines against a runtime error's call stack, innermost first.
@Suite("Fixtures")
struct FixtureTests {
  static var fixturesFolder: URL {
    Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
  }

  static var fixtureNames: [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: fixturesFolder.path)) ?? []
    return names.filter { $0.hasSuffix(".kms") }.sorted()
  }

  @Test("there are at least 60 fixtures")
  func fixtureCount() {
    #expect(Self.fixtureNames.count >= 60)
  }

  @Test("fixture runs as its comments say", arguments: fixtureNames)
  func fixture(name: String) throws {
    let url = Self.fixturesFolder.appendingPathComponent(name)
    let text = try String(contentsOf: url, encoding: .utf8)
    let expectations = Expectations(parsing: text)
    #expect(!expectations.isEmpty, "\(name) states no expectations")

    var output = ""
    let interpreter = Interpreter(scriptArguments: expectations.arguments) { output += $0 }
    var diagnostics: [Diagnostic] = []
    switch interpreter.run(SourceFile(name: name, text: text)) {
    case .success: break
    case .failure(.compile(let found)): diagnostics = found
    case .failure(.runtime(let error)):
      if case .failure = error.kind { diagnostics = [Diagnostic(error)] }
    }

    var lines = output.components(separatedBy: "\n")
    if lines.last == "" { lines.removeLast() }
    #expect(lines == expectations.output, "output of \(name)")
    #expect(diagnostics.map(\.shortDescription) == expectations.errors, "errors of \(name)")
    if !expectations.helps.isEmpty {
      #expect(diagnostics.compactMap(\.help) == expectations.helps, "help lines of \(name)")
    }
    if !expectations.traceback.isEmpty {
      let traceback =
        diagnostics.first?.traceback.map { "\($0.range.start) in \($0.function)" } ?? []
      #expect(traceback == expectations.traceback, "traceback of \(name)")
    }
  }
}

/// The expectations written in a fixture's comments.
struct Expectations {
  var output: [String] = []
  var errors: [String] = []
  var helps: [String] = []
  var traceback: [String] = []
  var arguments: [String] = []

  var isEmpty: Bool { output.isEmpty && errors.isEmpty }

  init(parsing text: String) {
    // "\r\n" is one Character, so split on it explicitly (Windows line endings).
    for line in text.split(
      omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    {
      guard let hash = line.range(of: "# ") else { continue }
      let comment = line[hash.upperBound...]
      for (prefix, keyPath) in [
        ("expect: ", \Expectations.output), ("error: ", \.errors), ("help: ", \.helps),
        ("trace: ", \.traceback),
      ] where comment.hasPrefix(prefix) {
        self[keyPath: keyPath].append(String(comment.dropFirst(prefix.count)))
      }
      if comment.hasPrefix("expect-empty-line") { output.append("") }
      if comment.hasPrefix("args: ") {
        arguments = comment.dropFirst("args: ".count).split(separator: " ").map(String.init)
      }
    }
  }
}
