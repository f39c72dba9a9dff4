import Foundation
import KMSLang
import Testing

/// Hostile programs: each must end in a clear, located error, never a crash, a hang or memory
/// exhaustion, and the session must go on.
@Suite("Hardening")
struct HardeningTests {
  /// The one error (or the first of several) that running `text` in `interpreter` gives.
  static func firstError(_ text: String, in interpreter: Interpreter, name: String = "<repl>")
    -> Diagnostic?
  {
    let file = SourceFile(name: name, text: text)
    let compilation = interpreter.compile(file)
    if let first = compilation.diagnostics.first { return first }
    do {
      try interpreter.execute(compilation.statements)
      return nil
    } catch {
      return Diagnostic(error)
    }
  }

  static func quiet() -> Interpreter { Interpreter(output: { _ in }) }

  @Test(
    "deep nesting of every kind is one located error, not a stack overflow",
    arguments: [
      ("parentheses", "x = " + String(repeating: "(", count: 300_000) + "1"
        + String(repeating: ")", count: 300_000)),
      ("lists", "x = " + String(repeating: "[", count: 200_000)),
      ("records", "x = " + String(repeating: "{a: ", count: 100_000) + "1"),
      ("negation", "x = " + String(repeating: "-", count: 200_000) + "1"),
      ("not", "x = " + String(repeating: "not ", count: 100_000) + "1"),
      ("indexing", "x = [0]\ny = x" + String(repeating: "[0]", count: 100_000)),
      ("chains", "x = 1" + String(repeating: " + 1", count: 100_000)),
      ("blocks", String(repeating: "if true { ", count: 50_000)),
    ])
  func deepNesting(kind: String, text: String) throws {
    let interpreter = Self.quiet()
    let compilation = interpreter.compile(SourceFile(name: kind, text: text))
    #expect(compilation.diagnostics.count == 1, "\(kind)")
    let diagnostic = try #require(compilation.diagnostics.first)
    #expect(diagnostic.message.hasPrefix("nested too deeply (the limit is 512 levels"))
    #expect(diagnostic.range.start.line >= 1 && diagnostic.range.start.column > 1)
    // Just under the limit still runs.
    let fine =
      "x = " + String(repeating: "(", count: 200) + "1" + String(repeating: ")", count: 200)
    #expect(Self.firstError(fine, in: interpreter) == nil)
    #expect(interpreter.global("x").map { $0.isEqual(to: .number(1)) } == true)
  }

  @Test("error recovery is linear: 10,000 lines of `x = (` give 10,000 errors quickly")
  func linearRecovery() {
    let text = String(repeating: "x = (\n", count: 10_000)
    let clock = ContinuousClock()
    let start = clock.now
    let compilation = Self.quiet().compile(SourceFile(name: "many", text: text))
    let elapsed = clock.now - start
    #expect(compilation.diagnostics.count == 10_000)
    #expect(
      compilation.diagnostics[1].shortDescription
        == "3:3: expected ')' to close the '(' at 2:5, found '='")
    // Quadratic recovery took 53 s here; linear takes well under a second (debug build).
    #expect(elapsed < .seconds(20))
  }

  @Test("== and str() on lists and records that contain themselves, and on deep values")
  func cyclicAndDeepValues() throws {
    let interpreter = Self.quiet()
    let program = """
      a = [1]
      push(a, a)
      b = [1]
      push(b, b)
      c = [2]
      push(c, c)
      r = {x: 1}
      r.me = r
      same = a == b
      differ = a == c
      shown = str(a) + " " + str(r)
      deep = []
      for i in range(100000) { deep = [deep] }
      other = []
      for i in range(100000) { other = [other] }
      deepEqual = deep == other
      width = len(str(deep))
      deep = none
      other = none
      """
    #expect(Self.firstError(program, in: interpreter) == nil)
    #expect(interpreter.global("same").map { $0.isEqual(to: .boolean(true)) } == true)
    #expect(interpreter.global("differ").map { $0.isEqual(to: .boolean(false)) } == true)
    #expect(interpreter.global("shown")?.description == "[1, […]] {x: 1, me: {…}}")
    #expect(interpreter.global("deepEqual").map { $0.isEqual(to: .boolean(true)) } == true)
    #expect(interpreter.global("width").map { $0.isEqual(to: .number(200_002)) } == true)
  }

  @Test("freeing a list nested a million deep does not overflow the stack")
  func freeDeepList() {
    let interpreter = Self.quiet()
    let program = "x = []\nfor i in range(1000000) { x = [x] }\nx = none\ndone = true"
    #expect(Self.firstError(program, in: interpreter) == nil)
    #expect(interpreter.global("done").map { $0.isEqual(to: .boolean(true)) } == true)
  }

  @Test("strings and lists that would exhaust memory stop with an error; the session goes on")
  func sizeLimits() throws {
    let interpreter = Self.quiet()
    let repeated = try #require(Self.firstError("s = \"ab\" * 1e8", in: interpreter))
    #expect(
      repeated.message
        == "repeating a string 100000000 times would make a string of 200,000,000 bytes, over the "
        + "limit of 100,000,000")
    let huge = try #require(Self.firstError("s = \"ab\" * 1e300", in: interpreter))
    #expect(huge.message.hasPrefix("repeating a string 1e+300 times would make a string of"))
    let doubling = try #require(
      Self.firstError("xs = [1]\nwhile true { xs = xs + xs }", in: interpreter))
    #expect(doubling.message.contains("would make a list of 16,777,216 elements, over the limit"))
    #expect(doubling.range.start.line == 2)
    let growing = try #require(
      Self.firstError("s = \"x\"\nwhile true { s = s + s }", in: interpreter))
    #expect(growing.message.hasPrefix("joining two strings would make a string of 134,217,728"))
    // The session is alive and still holds its variables.
    #expect(Self.firstError("n = len(xs)", in: interpreter) == nil)
    #expect(interpreter.global("n").map { $0.isEqual(to: .number(8_388_608)) } == true)
  }

  @Test("numbers too large for an integer say so, and do not wrap around")
  func integerFit() throws {
    let interpreter = Self.quiet()
    let range = try #require(Self.firstError("range(1e300)", in: interpreter))
    #expect(range.message == "start is too large: 1e+300 does not fit in an integer")
    let index = try #require(Self.firstError("[1, 2][1e300]", in: interpreter))
    #expect(index.message == "index 1e+300 out of range for a list of length 2")
    let string = try #require(Self.firstError("\"abc\"[10]", in: interpreter))
    #expect(string.message == "index 10 out of range for a string of length 3")
  }

  @Test("invalid UTF-8 in a script is a located error, like the same bytes through -e")
  func invalidUTF8() throws {
    var bytes = Array("x = 1\ny = \"ok\"\nz = ".utf8)
    bytes += [0xE3, 0x81]  // a truncated three-byte sequence
    bytes += Array(" + 1\n".utf8)
    let (file, diagnostic) = SourceFile.decoding(Data(bytes), name: "bad.kms")
    let found = try #require(diagnostic)
    #expect(found.shortDescription == "3:5: invalid UTF-8 bytes 0xE3 0x81")
    #expect(found.exitCode == 65)
    #expect(file.lines.count == 4)
    #expect(SourceFile.decoding(Data("ok = 1\n".utf8), name: "good.kms").1 == nil)
  }

  @Test("kms refuses a script with invalid UTF-8 with a located error and exit 65")
  func invalidUTF8Script() throws {
    let script = try temporaryFile("bad.kms")
    try Data([0x78, 0x20, 0x3D, 0x20, 0x31, 0x0A, 0xFF, 0x79, 0x0A]).write(to: script)
    let run = try runKMS([script.path])
    #expect(run.status == 65)
    #expect(run.errors.hasPrefix("\(script.path):2:1: error: invalid UTF-8 byte 0xFF"))
  }

  @Test("invisible and direction-changing characters are named by code point", arguments: [
    ("\u{200B}", "U+200B"), ("\u{FEFF}", "U+FEFF"), ("\u{202E}", "U+202E"), ("\u{0}", "U+0"),
  ])
  func invisibleCharacters(character: String, shown: String) throws {
    let diagnostic = try #require(Self.firstError("x = 1 \(character)", in: Self.quiet()))
    #expect(diagnostic.message == "unexpected character '\(shown)'")
    let rendered = diagnostic.rendered(colored: false)
    #expect(!rendered.contains(character))
    #expect(rendered.contains("x = 1 <\(shown)>"))
  }

  @Test("≥100 bad inputs each give their error; then the same session trains and evaluates")
  func corpus() throws {
    let url = FixtureTests.fixturesFolder.appendingPathComponent("corpus/bad-inputs.txt")
    let lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
    var entries: [(input: String, expected: String?)] = []
    for line in lines where !line.hasPrefix("#") && !line.isEmpty {
      if line.hasPrefix("=> ") {
        entries[entries.count - 1].expected = String(line.dropFirst(3))
      } else {
        entries.append((line, nil))
      }
    }
    #expect(entries.count >= 100)
    var printed = ""
    let interpreter = Interpreter(output: { printed += $0 })
    let setup = """
      data = kmnist(sample: true)
      small = data.train.subset(per_class: 5)
      ae = autoencoder([16])
      mlp = classifier(16, hidden: [8])
      t = trainer(ae, data)
      xs = [1, 2, 3]
      r = {a: 1}
      """
    #expect(Self.firstError(setup, in: interpreter) == nil)
    for (input, expected) in entries {
      let diagnostic = Self.firstError(input, in: interpreter)
      let message = diagnostic?.message ?? "<no error>"
      #expect(message == expected, "\(input)")
      if let diagnostic {
        #expect(diagnostic.range.start.line >= 1 && diagnostic.range.start.column >= 1)
        _ = diagnostic.rendered(colored: false)
      }
    }
    // After all of that, the same session still trains and evaluates a model.
    let training = """
      tiny = autoencoder([16], seed: 1)
      tt = trainer(tiny, data.train.subset(per_class: 20), lr: 0.001, batch: 50)
      h = tt.fit(1)
      result = evaluate(tiny, data.test)
      """
    let failure = Self.firstError(training, in: interpreter)
    #expect(failure == nil, "\(failure.map { $0.rendered(colored: false) } ?? "")")
    #expect(interpreter.global("result") != nil)
  }

  @Test("seeded mutations of the fixtures never crash or hang; every error has a valid range")
  func mutations() throws {
    let folder = FixtureTests.fixturesFolder
    let sources = try FixtureTests.fixtureNames.map {
      try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)
    }
    // Core, table and plot-free: no data loading or training per mutant, so thousands run in
    // seconds (the fuzzer covers the library bindings).
    let registry = BuiltinRegistry()
    registry.registerCore()
    registry.registerTable()
    var rng = SplitMix(seed: 20_261_201)
    let clock = ContinuousClock()
    let start = clock.now
    var rejected = 0
    let count = 3_000
    for _ in 0..<count {
      let source = sources[Int(rng.next() % UInt64(sources.count))]
      let mutant = Self.mutate(source, with: &rng)
      let interpreter = Interpreter(registry: registry, output: { _ in })
      interpreter.deadline = clock.now + .milliseconds(200)
      let file = SourceFile(name: "mutant", text: mutant)
      let began = clock.now
      var diagnostics: [Diagnostic] = []
      switch interpreter.run(file) {
      case .success: break
      case .failure(.compile(let found)): diagnostics = found
      case .failure(.runtime(let error)):
        if case .failure = error.kind { diagnostics = [Diagnostic(error)] }
      }
      #expect(clock.now - began < .seconds(5), "a mutant ran past its bound:\n\(mutant)")
      if !diagnostics.isEmpty { rejected += 1 }
      for diagnostic in diagnostics {
        let range = diagnostic.range
        let valid =
          range.start.line >= 1 && range.start.column >= 1 && range.start <= range.end
          && range.start.line <= max(range.file.lines.count, 1)
        #expect(valid, "bad range \(range.start)-\(range.end) for:\n\(mutant)")
      }
    }
    #expect(rejected > count / 2)
    #expect(clock.now - start < .seconds(120))
  }

  /// One of: flip a byte, drop a token, duplicate one, swap two.
  static func mutate(_ source: String, with rng: inout SplitMix) -> String {
    var bytes = Array(source.utf8)
    guard !bytes.isEmpty else { return source }
    let tokens = source.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    switch rng.next() % 4 {
    case 0:
      for _ in 0...(rng.next() % 3) {
        let at = Int(rng.next() % UInt64(bytes.count))
        bytes[at] ^= UInt8(1 << (rng.next() % 8))
      }
      return String(decoding: bytes, as: UTF8.self)
    case 1 where tokens.count > 1:
      var kept = tokens
      kept.remove(at: Int(rng.next() % UInt64(kept.count)))
      return kept.joined(separator: " ")
    case 2 where !tokens.isEmpty:
      var doubled = tokens
      let at = Int(rng.next() % UInt64(doubled.count))
      doubled.insert(doubled[at], at: at)
      return doubled.joined(separator: rng.next() % 2 == 0 ? " " : "\n")
    default:
      guard tokens.count > 1 else { return source }
      var swapped = tokens
      let i = Int(rng.next() % UInt64(swapped.count))
      let j = Int(rng.next() % UInt64(swapped.count))
      swapped.swapAt(i, j)
      return swapped.joined(separator: "\n")
    }
  }
}

/// A tiny seeded generator (SplitMix64) so the mutation test is the same every run.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
