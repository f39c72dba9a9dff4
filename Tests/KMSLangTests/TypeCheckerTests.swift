import Foundation
import KMSLang
import Testing

/// The type checker against every script kms ships: no false alarms on any sample or fixture,
/// and the checks that need a session (REPL variables from earlier entries).
@Suite("Type checker")
struct TypeCheckerTests {
  /// The checker's diagnostics alone (the resolver's are not included).
  static func typeErrors(_ text: String, globals: [String: Value] = [:]) -> [String] {
    let file = SourceFile(name: "test.kms", text: text)
    var lexer = Lexer(file: file)
    var parser = Parser(tokens: lexer.tokenize().tokens)
    var checker = TypeChecker(registry: .standard(), globals: globals)
    return checker.check(parser.parse().statements).map(\.shortDescription)
  }

  static var shippedScripts: [URL] {
    let samples = (try? FileManager.default.contentsOfDirectory(
      at: samplesFolder, includingPropertiesForKeys: nil)) ?? []
    let fixtures = (try? FileManager.default.contentsOfDirectory(
      at: FixtureTests.fixturesFolder, includingPropertiesForKeys: nil)) ?? []
    return (samples + fixtures).filter { $0.pathExtension == "kms" }
  }

  @Test("every sample and fixture passes the checker unchanged (checker fixtures: as stated)")
  func noFalseAlarms() throws {
    let scripts = Self.shippedScripts
    #expect(scripts.count >= 60)
    #expect(scripts.contains { $0.lastPathComponent == "paper-a.kms" })
    for url in scripts {
      let text = try String(contentsOf: url, encoding: .utf8)
      let found = Self.typeErrors(text)
      let expected = Expectations(parsing: text).errors
      if url.lastPathComponent.hasPrefix("error_check_") {
        #expect(!found.isEmpty || url.lastPathComponent == "error_check_flow.kms")
      }
      // Every error the checker reports is one the script states (a runtime fixture whose
      // mistake is now caught earlier, at the same place with the same message, still passes).
      #expect(found.allSatisfy(expected.contains), "\(url.lastPathComponent): \(found)")
      if !url.lastPathComponent.hasPrefix("error_") {
        #expect(found.isEmpty, "\(url.lastPathComponent): \(found)")
      }
    }
  }

  @Test("REPL variables from earlier entries are typed by their values")
  func sessionGlobals() {
    let interpreter = Interpreter { _ in }
    _ = interpreter.run(SourceFile(name: "<entry 1>", text: "n = 3\nname = \"x\""))
    let compilation = interpreter.compile(SourceFile(name: "<entry 2>", text: "name + n"))
    #expect(compilation.diagnostics.map(\.shortDescription) == ["1:1: cannot add string and number"])
    let fine = interpreter.compile(SourceFile(name: "<entry 3>", text: "name + str(n)"))
    #expect(fine.diagnostics.isEmpty)
  }

  @Test("all mistakes are reported in one run, in source order, with the resolver's")
  func allAtOnce() {
    let text = """
      d = kmnist(sample: true)
      print(d.tset)
      print(undefined)
      x = d.train.count + "a"
      """
    let compilation = Interpreter { _ in }.compile(SourceFile(name: "t.kms", text: text))
    #expect(compilation.diagnostics.map(\.shortDescription) == [
      "2:9: data has no attribute 'tset'", "3:7: unknown name 'undefined'",
      "4:5: cannot add number and string",
    ])
    #expect(compilation.diagnostics.first?.help == "did you mean 'test'?")
    let rendered = Diagnostic.render(compilation.diagnostics, colored: false)
    #expect(rendered.contains("t.kms:2:9"), "\(rendered)")
    #expect(rendered.contains("^"), "\(rendered)")
  }

  @Test("unknown types are not checked")
  func conservative() {
    #expect(Self.typeErrors("fn f(x) { return x.anything + 1 }").isEmpty)
    #expect(Self.typeErrors("r = {a: 1}\nprint(r.b)").isEmpty)
    #expect(Self.typeErrors("x = none\nif x != none { print(x.foo + 1) }").isEmpty)
    #expect(Self.typeErrors("xs = [1, \"a\"]\nprint(xs[0] + 1)").isEmpty)
    #expect(Self.typeErrors("x = 1\nwhile x < 3 { x = x + 1 }\nprint(x - 1)").isEmpty)
    // A builtin shadowed anywhere is not the builtin.
    #expect(Self.typeErrors("s = str(1) - 1").count == 1)
    #expect(Self.typeErrors("s = str(1) - 1\nstr = fn (x) { return 1 }").isEmpty)
  }

  @Test("the new syntax and builtins have result types, and cause no false alarms")
  func newFeatureTypes() {
    // Results carry their types forward, so a later mistake with them is caught.
    #expect(Self.typeErrors("w = \"a b\".split()\nprint(w[0] - 1)") == [
      "2:7: cannot subtract string and number",
    ])
    #expect(Self.typeErrors("print([1, 2][0:1] + \"a\")") == ["1:7: cannot add list and string"])
    #expect(Self.typeErrors("print(\"abc\"[1:] * [1])") == ["1:7: cannot multiply string and list"])
    #expect(Self.typeErrors("print([x * 2 for x in range(3)][0] + \"a\")") == [
      "1:7: cannot add number and string",
    ])
    #expect(Self.typeErrors("print(format(1, \".2f\") - 1)") == [
      "1:7: cannot subtract string and number",
    ])
    #expect(Self.typeErrors("print((2 ** 3) + \"a\", (7 // 2) + \"a\")") == [
      "1:7: cannot add number and string", "1:23: cannot add number and string",
    ])
    #expect(Self.typeErrors("print((1 in [1]) + 1)") == ["1:7: cannot add boolean and number"])
    #expect(Self.typeErrors("print(len(linspace(0, 1, 3)) + \"\")") == [
      "1:7: cannot add number and string",
    ])
    // No false alarms on the ordinary uses.
    let fine = [
      "for i, x in enumerate([\"a\"]) { print(i + 1, x + \"!\") }",
      "for a, b in zip([1], [\"x\"]) { print(a * 2, b) }",
      "print(sorted([3, 1], key: fn (x) { return -x })[0] + 1)",
      "print(reversed(\"ab\") + \"c\", reversed([1])[0])",
      "print(\"a\" in \"cat\", \"k\" in {k: 1}, 2 not in [1])",
      "print(\"x\".upper().lower().strip().replace(\"x\", \"y\").startswith(\"y\"))",
      "xs = [1, 2, 3]\nprint(xs[-2:], xs[::-1], \"abc\"[::2])",
      "print = 5\ndel print\nprint(1)",
      "sum = [1]\nprint([sum + 1 for sum in range(3)])",
      "fs = [fn () { return n * 2 } for n in range(3)]\nprint(fs[0]())",
      "print(range(0, 1, 0.5), format(\"ab\", \">4\"), 2 ** 0.5)",
    ]
    for text in fine { #expect(Self.typeErrors(text).isEmpty, "\(text)") }
  }
}
