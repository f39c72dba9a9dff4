import Foundation
@testable import KMSLang
import Testing

/// `int(x)` and `float(x)`: what they read (checked against Python's `int()` and `float()`),
/// the errors at the call, the checker's part, and script arguments end to end.
@Suite("int and float")
struct ConversionTests {
  /// The one diagnostic a program fails with (compile or runtime), and what it printed first.
  static func failure(_ source: String, name: String = "conv.kms") -> (Diagnostic?, String) {
    var output = ""
    let interpreter = Interpreter { output += $0 }
    switch interpreter.run(SourceFile(name: name, text: source)) {
    case .success: return (nil, output)
    case .failure(.compile(let diagnostics)):
      #expect(diagnostics.count == 1, "\(diagnostics.map(\.shortDescription))")
      return (diagnostics.first, output)
    case .failure(.runtime(let error)): return (Diagnostic(error), output)
    }
  }

  /// The printed lines of a program that must run.
  static func lines(_ source: String) -> [String] {
    runProgram(source).output.split(separator: "\n", omittingEmptySubsequences: false)
      .dropLast().map(String.init)
  }

  @Test("int reads numbers, digit strings and booleans as Python does")
  func intValues() {
    #expect(
      Self.lines(
        """
        print(int("12"), int(" 7 "), int(3.9), int(-3.9), int(true), int(false), int(12))
        print(int(-0.5), int("-0"), int("+5"), int("0012"), int("1_000"), int("\\t42\\n"))
        print(int("٣"), int("１２"), int(9007199254740992), int("-9007199254740992"))
        """) == [
          "12 7 3 -3 1 0 12", "0 0 5 12 1000 42", "3 12 9007199254740992 -9007199254740992",
        ])
  }

  @Test("int reads other bases, with Python's prefixes")
  func intBases() {
    #expect(
      Self.lines(
        """
        print(int("ff", 16), int("0xFF", 16), int("0x_ff", 16), int("-101", base: 2))
        print(int("0o17", 8), int("zz", 36), int("0b1", 16), int("1_0", 2))
        """) == ["255 255 255 -5", "15 1295 177 2"])
  }

  @Test("int's result is an integer to the rest of the language")
  func intIsAnInteger() {
    let (interpreter, output) = runProgram(
      """
      xs = [10, 20, 30]
      print(xs[int("2")], xs[int(-1.5)], range(int("3")), "ab" * int(2.9))
      print(type(int("3")), int("3") == 3, str(int(7.99)))
      n = int(-0.5)
      """)
    #expect(output == "30 30 [0, 1, 2] abab\nnumber true 7\n")
    // int(-0.5) is 0, not the -0 that truncation gives.
    guard case .number(let n) = interpreter.global("n") else {
      Issue.record("n is \(String(describing: interpreter.global("n")))")
      return
    }
    #expect(n == 0 && n.sign == .plus)
  }

  @Test("int fails at the call, naming the text or number it could not convert", arguments: [
    ("int(\"abc\")", "cannot convert \"abc\" to an integer",
     "int() reads whole numbers written in digits, such as \"12\" or \"-3\""),
    ("int(\"3.5\")", "cannot convert \"3.5\" to an integer",
     "it is not written as a whole number; int(float(\"3.5\")) gives 3"),
    ("int(\"1e3\")", "cannot convert \"1e3\" to an integer",
     "it is not written as a whole number; int(float(\"1e3\")) gives 1000"),
    ("int(\"\")", "cannot convert \"\" to an integer",
     "int() reads whole numbers written in digits, such as \"12\" or \"-3\""),
    ("int(\"1__0\")", "cannot convert \"1__0\" to an integer",
     "int() reads whole numbers written in digits, such as \"12\" or \"-3\""),
    ("int(\"0x10\")", "cannot convert \"0x10\" to an integer",
     "int() reads whole numbers written in digits, such as \"12\" or \"-3\""),
    ("int(\"zz\", 16)", "cannot convert \"zz\" to an integer in base 16",
     "base 16 is written with the digits 0 to 9 and the letters a to f (either case)"),
    ("int(\"9\", 8)", "cannot convert \"9\" to an integer in base 8",
     "base 8 is written with the digits 0 to 7"),
    ("int(\"b\", 11)", "cannot convert \"b\" to an integer in base 11",
     "base 11 is written with the digits 0 to 9 and the letter a (either case)"),
    ("int(1e30)", "1e+30 is too large to be an integer",
     "integers in kms lie between -9,007,199,254,740,992 and 9,007,199,254,740,992 (±2^53), "
       + "where a number holds every whole value exactly"),
    ("int(-9007199254740994)", "-9007199254740994 is too large to be an integer",
     "integers in kms lie between -9,007,199,254,740,992 and 9,007,199,254,740,992 (±2^53), "
       + "where a number holds every whole value exactly"),
    ("int(\"99999999999999999999\")", "\"99999999999999999999\" is too large to be an integer",
     "integers in kms lie between -9,007,199,254,740,992 and 9,007,199,254,740,992 (±2^53), "
       + "where a number holds every whole value exactly"),
    ("int(float(\"nan\"))", "cannot convert nan to an integer",
     "nan (not a number) has no integer value"),
    ("int(float(\"-inf\"))", "cannot convert -inf to an integer", nil),
    ("int(3.5, 16)", "int() takes a base only with a string, got a number",
     "int(x) truncates a number; a base says how to read the digits of a string"),
    ("int(\"1\", 1)", "base must be between 2 and 36, got 1", nil),
    ("int(\"1\", base: 37)", "base must be between 2 and 36, got 37", nil),
  ] as [(String, String, String?)])
  func intErrors(call: String, message: String, help: String?) {
    let (diagnostic, output) = Self.failure("print(\"start\")\nx = \(call)\nprint(\"after\")\n")
    #expect(output == "start\n", "\(call)")
    #expect(diagnostic?.shortDescription == "2:5: \(message)")
    #expect(diagnostic?.help == help, "\(call)")
    #expect(diagnostic?.exitCode == 70, "\(call) fails at run time")
  }

  @Test("a script's error shows file:line:col and a caret under the call")
  func renderedError() {
    let (diagnostic, _) = Self.failure("epochs = 3\nn = 2 * int(\"abc\")\n", name: "train.kms")
    #expect(
      diagnostic?.rendered(colored: false) == """
        train.kms:2:9: error: cannot convert "abc" to an integer
            2 | n = 2 * int("abc")
              |         ^^^^^^^^^^
        help: int() reads whole numbers written in digits, such as "12" or "-3"

        """)
  }

  @Test("float reads numbers, strings and booleans as Python does")
  func floatValues() {
    #expect(
      Self.lines(
        """
        print(float("0.5"), float("1e-3"), float(" 2 "), float(3), float(true), float(false))
        print(float("-1.5E2"), float(".5"), float("5."), float("1_0.2_5"), float("1e1_0"))
        print(float("inf"), float("+inf"), float("-Infinity"), float("NaN"), float("1e500"))
        print(float("1e-3") == 0.001, float("0.1") == 0.1, float("١.５"))
        print(float("nan") == float("nan"))
        """) == [
          "0.5 0.001 2 3 1 0", "-150 0.5 5 10.25 10000000000", "inf inf -inf nan inf",
          "true true 1.5", "false",
        ])
  }

  @Test("num reads text exactly as float does (one reader for both)")
  func numIsFloat() {
    #expect(
      Self.lines(
        """
        print(num("\\t42\\n"), num("1_000"), num("-Infinity"), num(" .5 "), num(true))
        """) == ["42 1000 -inf 0.5 1"])
    // Swift's Double("0x10") is 16; Python's float("0x10") fails, and so do float and num.
    for call in ["num(\"0x10\")", "float(\"0x10\")"] {
      let (diagnostic, _) = Self.failure("x = \(call)")
      #expect(diagnostic?.message == "cannot convert \"0x10\" to a number")
    }
  }

  @Test("float fails at the call on text that is not a number", arguments: [
    "x", "", ".", "1e", "e5", "1_", "1._5", "0x10", "in f", "nan1", "infinit", "1.2.3", "++1",
  ])
  func floatErrors(text: String) {
    let (diagnostic, output) = Self.failure("print(\"start\")\ny = 1 + float(\"\(text)\")\n")
    #expect(output == "start\n")
    #expect(diagnostic?.shortDescription == "2:9: cannot convert \"\(text)\" to a number")
    #expect(
      diagnostic?.help
        == "float() reads numbers such as \"0.5\", \"-2\", \"1e-3\", \"inf\" or \"nan\"")
  }

  @Test("wrong argument counts and types get the standard messages, before anything runs",
    arguments: [
      ("int()", "2:1: missing argument 'value' to 'int'", "signature: int(value, base: 10)"),
      ("float()", "2:1: missing argument 'value' to 'float'", "signature: float(value)"),
      ("int(1, 2, 3)", "2:1: too many arguments to 'int' (expected at most 2, got 3)",
       "signature: int(value, base: 10)"),
      ("float(1, 2)", "2:1: too many arguments to 'float' (expected at most 1, got 2)",
       "signature: float(value)"),
      ("int([1])",
       "2:1: bad argument 'value' to 'int' (number or string or boolean expected, got list)", nil),
      ("float(none)",
       "2:1: bad argument 'value' to 'float' (number or string or boolean expected, got none)",
       nil),
      ("int(\"1\", 2.5)", "2:1: bad argument 'base' to 'int' (integer expected, got 2.5)", nil),
      ("int(\"1\", bass: 2)", "2:10: unknown keyword argument 'bass' to 'int'",
       "did you mean 'base'?"),
      // Not literals: the type checker knows what these names and calls hold.
      ("xs = [1]; int(xs)",
       "2:15: bad argument 'value' to 'int' (number or string or boolean expected, got list)", nil),
      ("print(\"epoch \" + int(\"3\"))", "2:7: cannot add string and number",
       "convert with str() first: \"text\" + str(x), or interpolate: \"text \\(x)\""),
      ("float(args())",
       "2:7: bad argument 'value' to 'float' (number or string or boolean expected, got list)",
       nil),
    ] as [(String, String, String?)])
  func checkedBeforeRunning(source: String, message: String, help: String?) {
    let (diagnostic, output) = Self.failure("print(\"ran\")\n\(source)\n")
    #expect(output == "", "\(source) was caught before the program ran")
    #expect(diagnostic?.shortDescription == message)
    #expect(diagnostic?.help == help, "\(source)")
    #expect(diagnostic?.exitCode == 65, "\(source)")
  }

  @Test("an argument of unknown type is checked at the call when it runs")
  func checkedAtRunTime() {
    let (diagnostic, output) = Self.failure(
      "fn epochs(v) { return int(v) }\nprint(\"ran\")\nepochs(none)\n")
    #expect(output == "ran\n")
    #expect(
      diagnostic?.shortDescription
        == "1:23: bad argument 'value' to 'int' (number or string or boolean expected, got none)")
    #expect(diagnostic?.traceback.map { "\($0.range.start) in \($0.function)" } == [
      "1:23 in epochs", "3:1 in <script>",
    ])
  }

  @Test("help shows the signature, the summary, how kms differs from Python and an example")
  func help() {
    let registry = BuiltinRegistry.standard()
    let intHelp = registry.helpText(for: "int")?.components(separatedBy: "\n") ?? []
    #expect(intHelp.first == "int(value, base: 10)")
    #expect(intHelp.last == "  example: epochs = int(args()[0])")
    #expect(
      intHelp.contains(
        "  note: kms has one number type: the result is a number with no fraction, exact up to "
          + "±2^53 (9,007,199,254,740,992), where Python's int has no bound"), "\(intHelp)")
    #expect(intHelp.filter { $0.hasPrefix("  note: ") }.count == 3)
    let floatHelp = registry.helpText(for: "float") ?? ""
    #expect(floatHelp.hasPrefix("float(value)\n  a number from a string"))
    #expect(floatHelp.contains("\n  note: float() needs an argument (Python's float() is 0.0)\n"))
    // The overview lists summaries only; notes are for help(name).
    let overview = registry.overview.components(separatedBy: "\n")
    #expect(overview.contains { $0.hasPrefix("  int ") && $0.contains("truncated toward zero") })
    #expect(overview.contains { $0.hasPrefix("  float ") })
    #expect(!registry.overview.contains("note:"))
    #expect(runProgram("help(\"float\")").output == floatHelp + "\n")
  }

  @Test("NumberText agrees with Python's int() and float() on awkward text")
  func numberTextGrammar() {
    // Python 3: int(s) for each; nil where it raises ValueError.
    let integers: [(String, Int, Double?)] = [
      ("_1", 10, nil), ("1_", 10, nil), ("0_0", 10, 0), (" ", 10, nil), ("+", 10, nil),
      ("+-1", 10, nil), ("1 2", 10, nil), ("12a", 10, nil), ("²", 10, nil), ("0x", 16, nil),
      ("0XfF", 16, 255), ("0b101", 16, 45313), ("-0b101", 2, -5), ("2", 2, nil), ("0b_1", 2, 1),
      ("_0b1", 2, nil), ("Z", 36, 35), ("9007199254740993", 10, nil),
    ]
    for (text, base, expected) in integers {
      let reading = NumberText.integer(text, base: base)
      let limit = text == "9007199254740993"
      #expect(
        reading == (expected.map { .value($0) } ?? (limit ? .tooLarge : .invalid)),
        "int(\(Value.quoted(text)), \(base))")
    }
    // Python 3: float(s); nil where it raises ValueError.
    let numbers: [(String, Double?)] = [
      ("  -0.0  ", -0.0), ("1E+2", 100), ("1e+_2", nil), ("1_.5", nil), ("-nan", .nan),
      ("INF", .infinity), ("1e-400", 0), ("١", 1), ("0x1p3", nil), ("1,5", nil),
    ]
    for (text, expected) in numbers {
      let number = NumberText.number(text)
      switch expected {
      case .none: #expect(number == nil, "float(\(Value.quoted(text)))")
      case .some(let value) where value.isNaN: #expect(number?.isNaN == true)
      case .some(let value):
        #expect(number == value && number?.sign == value.sign, "float(\(Value.quoted(text)))")
      }
    }
  }

  @Test("kms script.kms 5 with epochs = int(args()[0]) trains 5 epochs; a bad count fails there")
  func scriptArguments() throws {
    let script = try temporaryFile(
      "epochs.kms",
      contents: """
        epochs = int(args()[0])
        small = kmnist(sample: true).train.subset(per_class: 2)
        t = trainer(classifier(784, hidden: [4]), small, batch: 20)
        h = t.fit(epochs, verbose: false)
        print(epochs, len(h.loss), range(epochs), float(args()[1]) * 2)

        """)
    defer { try? FileManager.default.removeItem(at: script.deletingLastPathComponent()) }
    let run = try runKMS([script.path, "5", "0.25"])
    #expect(run.status == 0, "\(run.errors)")
    #expect(run.output.hasSuffix("\n5 5 [0, 1, 2, 3, 4] 0.5\n"), "\(run.output)")
    let bad = try runKMS([script.path, "five", "1"])
    #expect(bad.status == 70)
    #expect(bad.output == "")
    #expect(
      bad.errors.hasPrefix(
        """
        \(script.path):1:10: error: cannot convert "five" to an integer
            1 | epochs = int(args()[0])
              |          ^^^^^^^^^^^^^^
        help: int() reads whole numbers written in digits, such as "12" or "-3"

        """), "\(bad.errors)")
    let fractional = try runKMS([script.path, "2.5", "1"])
    #expect(
      fractional.errors.contains(
        "help: it is not written as a whole number; int(float(\"2.5\")) gives 2"))
  }

  @Test("in the REPL a failed int() is reported and the session goes on")
  func replKeepsGoing() throws {
    let result = try runKMS(
      [], input: "n = 41\nint(\"abc\")\nfloat(\"x\") + n\nint(\"1\") + n\nfloat(\" 0.5 \") * 2\n")
    #expect(result.output == "42\n1\n")
    #expect(result.errors.contains("<stdin>:2:1: error: cannot convert \"abc\" to an integer\n"))
    #expect(result.errors.contains("<stdin>:3:1: error: cannot convert \"x\" to a number\n"))
    #expect(result.status == 70)
  }
}
