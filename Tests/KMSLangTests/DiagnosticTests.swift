import KMSLang
import Testing

@Suite("Diagnostic rendering")
struct DiagnosticTests {
  func compileErrors(_ text: String, name: String = "samples/sae.kms") -> [Diagnostic] {
    Interpreter(output: { _ in }).compile(SourceFile(name: name, text: text)).diagnostics
  }

  @Test("prints location, source line in a gutter, carets under the range and a help line")
  func unknownName() {
    let text =
      (1...13).map { "x\($0) = \($0)" }.joined(separator: "\n") + "\nencoder = 1\nz = encodr(x1)\n"
    let diagnostics = compileErrors(text)
    #expect(diagnostics.count == 1)
    #expect(
      diagnostics.first?.rendered(colored: false) == """
        samples/sae.kms:15:5: error: unknown name 'encodr'
           15 | z = encodr(x1)
              |     ^^^^^^
        help: did you mean 'encoder'?

        """)
  }

  @Test("widens the gutter for long files and underlines the whole call")
  func wideGutter() {
    let text = String(repeating: "\n", count: 123_455) + "print(len(1, 2))"
    let rendered = compileErrors(text, name: "big.kms").first?.rendered(colored: false)
    #expect(
      rendered == """
        big.kms:123456:7: error: too many arguments to 'len' (expected at most 1, got 2)
         123456 | print(len(1, 2))
                |       ^^^^^^^^^
        help: signature: len(value)

        """)
  }

  @Test("lines carets up under wide glyphs and tabs")
  func wideGlyphs() {
    let rendered = compileErrors("s = \"かな\" + nme\n", name: "w.kms").first?.rendered(
      colored: false)
    // "かな" takes four terminal columns, so the caret moves right by two more than Characters.
    #expect(
      rendered?.contains(
        "    1 | s = \"かな\" + nme\n      | " + String(repeating: " ", count: 13) + "^^^\n") == true,
      "\(rendered ?? "")")
    let tabbed = compileErrors("\tx = nme\n", name: "t.kms").first?.rendered(colored: false)
    #expect(tabbed?.contains("    1 | \tx = nme\n      | \t    ^^^\n") == true, "\(tabbed ?? "")")
  }

  @Test("reports every syntax error in order")
  func multipleErrors() {
    let diagnostics = compileErrors("x = (1 + )\ny = 2\nz = = 3\n")
    #expect(
      diagnostics.map(\.shortDescription) == [
        "1:10: expected an expression, found ')'", "3:5: expected an expression, found '='",
      ])
    #expect(diagnostics.allSatisfy { $0.exitCode == 65 })
  }

  @Test("adds colour only when asked")
  func colour() {
    let diagnostic = compileErrors("nme\n").first
    #expect(diagnostic?.rendered(colored: true).contains("\u{1B}[1;31merror: ") == true)
    #expect(diagnostic?.rendered(colored: false).contains("\u{1B}") == false)
  }

  @Test("prints the call stack of a runtime error, innermost first")
  func traceback() {
    let interpreter = Interpreter(output: { _ in })
    let text = "fn inner(a) {\n  return a / 0\n}\nfn outer(b) { return inner(b) }\nouter(1)\n"
    guard
      case .failure(.runtime(let error)) = interpreter.run(SourceFile(name: "t.kms", text: text))
    else {
      Issue.record("expected a runtime error")
      return
    }
    let diagnostic = Diagnostic(error)
    #expect(diagnostic.exitCode == 70)
    #expect(
      diagnostic.rendered(colored: false) == """
        t.kms:2:10: error: division by zero
            2 |   return a / 0
              |          ^^^^^
        stack traceback (innermost first):
          t.kms:2:10: in fn 'inner'
          t.kms:4:22: in fn 'outer'
          t.kms:5:1: in top-level code

        """)
  }

  @Test("runaway recursion is an error, not a crash, whatever the depth limit")
  func nativeStackGuard() {
    let interpreter = Interpreter(output: { _ in })
    interpreter.maximumCallDepth = 10_000_000
    let text = "fn down(n) { return 1 + down(n + 1) }\ndown(0)\n"
    guard
      case .failure(.runtime(let error)) = interpreter.run(SourceFile(name: "r.kms", text: text))
    else {
      Issue.record("expected a runtime error")
      return
    }
    #expect(Diagnostic(error).shortDescription == "1:25: too many nested calls")
    #expect(error.traceback.count > 10)
  }

  @Test("suggests names within a third of their length and no further")
  func suggestions() {
    #expect(suggestion(for: "encodr", among: ["encoder", "decoder"]) == "encoder")
    #expect(suggestion(for: "encdoer", among: ["encoder"]) == "encoder")
    #expect(suggestion(for: "lr", among: ["lr2", "batch"]) == "lr2")
    #expect(suggestion(for: "xyz", among: ["encoder", "batch"]) == nil)
  }
}
