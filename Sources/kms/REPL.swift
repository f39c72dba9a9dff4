import Foundation
import KMSLang
import KMSTensor

/// The interactive loop, modelled on lua.c's `doREPL`: read an entry (more lines while it is
/// incomplete), run it, echo an expression's value, report errors and carry on.
final class REPL {
  private let interpreter: Interpreter
  private let reader: LineReader
  private let isColored: Bool
  /// Entries that ran without error or were interrupted (marked), in order; `:save` writes
  /// them as a script.
  private var acceptedInput: [(entry: String, wasInterrupted: Bool)] = []
  /// The number of code entries read so far: entry 7 is `<entry 7>` in messages.
  private var entryCount = 0
  /// Lines read from piped input so far, so errors name the line of the input they are on.
  private var linesRead = 0
  /// The exit code of the last failed entry; returned at the end of non-interactive input.
  private var lastFailureCode: Int32 = 0
  /// Every entry with its outputs, for `:report` and `:notebook`.
  private let recorder: SessionRecorder

  static let prompt = "> "
  static let continuationPrompt = "... "
  static let metaCommands = [
    ":help", ":vars", ":load", ":save", ":report", ":notebook", ":time", ":quit",
    ":reset", ":cd", ":timeit",
  ]
  /// Meta commands whose argument is a file path (completed as paths).
  static let pathCommands: Set<String> = [":load", ":save", ":report", ":notebook", ":cd"]
  /// The variable holding the last echoed value, as in IPython and Python's REPL.
  static let lastValueName = "_"

  /// Creates a REPL.
  /// - Parameters:
  ///   - interpreter: the interpreter holding the session's variables.
  ///   - earlierCells: what ran before the prompt (`kms -i`: the script), the start of what
  ///     `:report` and `:notebook` write.
  init(interpreter: Interpreter, earlierCells: [NotebookCell] = []) {
    self.interpreter = interpreter
    recorder = SessionRecorder(forward: interpreter.display)
    recorder.begin(with: earlierCells)
    interpreter.display = recorder
    let environment = ProcessInfo.processInfo.environment
    // NOTE: $HOME first, as shells do; Foundation's NSHomeDirectory() reads the password
    // database and would put a sandboxed or test session's history in the real home.
    let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    let historyPath =
      environment["KMS_HISTORY"] ?? (home as NSString).appendingPathComponent(".kms_history")
    isColored = isatty(STDERR_FILENO) == 1 && environment["NO_COLOR"] == nil
    var complete: (String, String, Int) -> [String]? = { _, _, _ in [] }
    reader = LineReader(historyPath: historyPath, completer: { complete($0, $1, $2) })
    complete = { [unowned self] word, line, start in
      completions(for: word, line: line, start: start)
    }
  }

  /// Runs until `:quit`, `exit()` or the end of input.
  /// - Returns: the process exit code.
  func run() -> Int32 {
    if reader.isInteractive {
      write("kms \(kmsVersion)  (:help for help, Ctrl-D to quit)\n")
    }
    while true {
      Interrupt.clear()
      let first: String
      switch read(prompt: REPL.prompt) {
      case .endOfInput:
        if reader.isInteractive, !confirmQuit() { continue }
        return reader.isInteractive ? 0 : lastFailureCode
      case .interrupted: continue
      case .line(let line): first = line
      }
      let trimmed = first.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty { continue }
      if trimmed.hasPrefix(":") {
        reader.addToHistory(trimmed)
        if let code = runMetaCommand(trimmed) { return code }
        continue
      }
      // IPython's habits: `?name` and `name?` show help, `!cmd` runs a shell command.
      if let topic = REPL.helpQuery(trimmed) {
        reader.addToHistory(trimmed)
        write(help(for: topic) + "\n")
        continue
      }
      if trimmed.hasPrefix("!"), !trimmed.hasPrefix("!=") {
        reader.addToHistory(trimmed)
        runShell(String(trimmed.dropFirst()).trimmingCharacters(in: .whitespaces))
        continue
      }
      guard let (entry, compilation) = readEntry(startingWith: first) else { continue }
      reader.addToHistory(entry)
      if let code = run(entry, compilation: compilation, echo: true) { return code }
    }
  }

  // MARK: - Entries

  private func read(prompt: String) -> LineInput {
    let input = reader.readLine(prompt: prompt)
    if case .line = input { linesRead += 1 }
    return input
  }

  /// The source of an entry: `<entry 7>` at a terminal; for piped input `<stdin>`, padded with
  /// blank lines so line numbers are those of the input.
  private func sourceFile(for entry: String, firstLine: Int) -> SourceFile {
    if reader.isInteractive { return SourceFile(name: "<entry \(entryCount)>", text: entry) }
    // NOTE: padding keeps SourceFile simple (positions count from its first line) at the cost
    // of lexing a few newlines.
    return SourceFile(
      name: "<stdin>", text: String(repeating: "\n", count: firstLine - 1) + entry)
  }

  /// Reads continuation lines while the entry is incomplete.
  /// - Returns: the entry and its compilation, or nil when Ctrl-C or Ctrl-D abandoned it.
  private func readEntry(startingWith first: String) -> (String, Compilation)? {
    var entry = first
    let firstLine = linesRead
    entryCount += 1
    while true {
      var compilation = interpreter.compile(sourceFile(for: entry, firstLine: firstLine))
      if !compilation.isIncomplete {
        addElseHint(entry, to: &compilation)
        return (entry, compilation)
      }
      switch read(prompt: REPL.continuationPrompt) {
      case .line(let line): entry += "\n" + line
      case .interrupted: return nil
      case .endOfInput:
        report(compilation.diagnostics)
        return nil
      }
    }
  }

  /// Runs a compiled entry; echoes an expression's value.
  /// - Returns: an exit code when the entry called `exit()`.
  private func run(_ entry: String, compilation: Compilation, echo: Bool) -> Int32? {
    recorder.beginEntry()
    let start = Date()
    var failure: (message: String, rendered: String)?
    defer {
      recorder.endEntry(
        entry, statements: compilation.diagnostics.isEmpty ? compilation.statements : [],
        seconds: Date().timeIntervalSince(start), error: failure)
    }
    if !compilation.diagnostics.isEmpty {
      failure = (
        compilation.diagnostics[0].message,
        Diagnostic.render(compilation.diagnostics, colored: false)
      )
      report(compilation.diagnostics)
      return nil
    }
    do {
      // As IPython does, the last statement's value echoes when it is an expression, so
      // `x = 5; x += 1; x` prints 6.
      var statements = compilation.statements
      var value: Value?
      if echo, let last = statements.last, case .expression = last.kind {
        statements.removeLast()
        try interpreter.execute(statements)
        value = try interpreter.execute([last])
      } else {
        try interpreter.execute(statements)
      }
      if echo, let value, !isNone(value) {
        write(echoText(value, of: compilation.statements.last) + "\n")
        interpreter.setGlobal(REPL.lastValueName, to: value)
        recorder.echoed(value)
      }
      acceptedInput.append((entry, false))
    } catch {
      if case .exit = error.kind {
      } else if error.kind == .interrupted {
        failure = (error.message, interruptionMessage(error))
      } else {
        failure = (error.message, Diagnostic(error).rendered(colored: false))
      }
      // An interrupted entry ran in part, and its effects stay: replaying it rebuilds them.
      if error.kind == .interrupted { acceptedInput.append((entry, true)) }
      return handle(error)
    }
    return nil
  }

  /// `else` at the start of an entry follows an `if` that already ran when its `}` closed the
  /// line before; say so.
  private func addElseHint(_ entry: String, to compilation: inout Compilation) {
    let trimmed = entry.drop { $0.isWhitespace || $0 == "}" }
    guard trimmed.hasPrefix("else"), !compilation.diagnostics.isEmpty else { return }
    compilation.diagnostics[0].help =
      "at the prompt an 'if' runs as soon as its '}' ends a line; "
      + "write '} else {' on that line, or put the whole 'if' in one entry"
  }

  /// Ctrl-D with trained models not saved since their last training asks once; `y` or a second
  /// Ctrl-D quits.
  /// - Returns: true when the session should end.
  private func confirmQuit() -> Bool {
    confirm(unsavedQuestion: "quit anyway?")
  }

  /// Asks `question` when trained models are not saved since their last training.
  /// - Returns: true when there is nothing unsaved or the answer is yes (or a second Ctrl-D).
  private func confirm(unsavedQuestion: String) -> Bool {
    var names: [ObjectIdentifier: String] = [:]
    for (name, value) in interpreter.globalVariables where name != REPL.lastValueName {
      guard case .host(let object) = value, let model = object as? ModelObject,
        model.isTrainedSinceSaved, names[ObjectIdentifier(model)] == nil
      else { continue }
      names[ObjectIdentifier(model)] = name
    }
    guard !names.isEmpty else { return true }
    let list = names.values.sorted()
    let what = list.count == 1 ? "1 trained model" : "\(list.count) trained models"
    let question = "\(what) not saved (\(list.joined(separator: ", "))); \(unsavedQuestion) [y/N] "
    switch reader.readLine(prompt: question) {
    case .endOfInput: return true
    case .interrupted: return false
    case .line(let answer):
      return answer.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("y")
    }
  }

  private func handle(_ error: RuntimeError) -> Int32? {
    switch error.kind {
    case .exit(let code): return code
    case .interrupted:
      Interrupt.clear()
      writeError(interruptionMessage(error))
      lastFailureCode = 130
    case .failure:
      report([Diagnostic(error)])
    }
    return nil
  }

  private func report(_ diagnostics: [Diagnostic]) {
    guard let first = diagnostics.first else { return }
    lastFailureCode = first.exitCode
    writeError(Diagnostic.render(diagnostics, colored: isColored))
  }

  // MARK: - Meta commands

  /// Runs a `:command`.
  /// - Returns: an exit code when the session should end.
  private func runMetaCommand(_ line: String) -> Int32? {
    let command = String(line.prefix { !$0.isWhitespace })
    let argument = line.dropFirst(command.count).trimmingCharacters(in: .whitespaces)
    switch command {
    case ":quit", ":q":
      return 0
    case ":help", ":h":
      write(help(for: argument) + "\n")
    case ":vars":
      write(variablesTable())
    case ":load":
      guard !argument.isEmpty else { return usage(":load file.kms") }
      load(path: argument)
    case ":save":
      guard !argument.isEmpty else { return usage(":save file.kms") }
      save(path: argument)
    case ":report":
      guard !argument.isEmpty else { return usage(":report out.html") }
      writeNotebook(to: argument) { Data($0.html().utf8) }
    case ":notebook":
      guard !argument.isEmpty else { return usage(":notebook out.ipynb") }
      writeNotebook(to: argument) { try $0.ipynb() }
    case ":time":
      guard !argument.isEmpty else { return usage(":time expression") }
      entryCount += 1
      let compilation = interpreter.compile(sourceFile(for: argument, firstLine: linesRead))
      let clock = ContinuousClock()
      let start = clock.now
      if let code = run(argument, compilation: compilation, echo: true) { return code }
      if compilation.diagnostics.isEmpty {
        let elapsed = clock.now - start
        let seconds =
          Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        write("time: \(String(format: "%.6f", seconds)) s\n")
      }
    case ":reset":
      guard confirm(unsavedQuestion: "clear the session anyway?") else { return nil }
      interpreter.removeAllGlobals()
      // Notes printed before the reset are said again the next time they apply.
      interpreter.shownNotes.removeAll()
      acceptedInput.removeAll()
      recorder.reset()
      write("session cleared: no variables; builtins as at the start\n")
    case ":cd":
      changeDirectory(to: argument)
    case ":timeit":
      guard !argument.isEmpty else { return usage(":timeit expression") }
      return timeit(argument)
    default:
      let hint =
        suggestion(for: command, among: REPL.metaCommands).map { "did you mean '\($0)'?" }
        ?? "commands: " + REPL.metaCommands.joined(separator: " ")
      writeError("unknown command '\(command)'\nhelp: \(hint)\n")
      lastFailureCode = 64
    }
    return nil
  }

  /// The topic of `?name` or `name?` (a name or dotted name), or nil for anything else.
  static func helpQuery(_ line: String) -> String? {
    var topic = Substring(line)
    if topic.hasPrefix("?") {
      topic = topic.dropFirst()
    } else if topic.hasSuffix("?") {
      topic = topic.dropLast()
    } else {
      return nil
    }
    topic = Substring(topic.trimmingCharacters(in: .whitespaces))
    guard let first = topic.first, first == "_" || first.isLetter,
      topic.allSatisfy({ $0 == "_" || $0 == "." || $0.isLetter || $0.isNumber })
    else { return topic.isEmpty ? "" : nil }
    return String(topic)
  }

  /// `!command`: runs it with /bin/sh in the session's folder, its output straight to the
  /// terminal; a failure's exit status is reported.
  private func runShell(_ command: String) {
    guard !command.isEmpty else {
      _ = usage("!command")
      return
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    do {
      try process.run()
    } catch {
      writeError("cannot run /bin/sh: \(error.localizedDescription)\n")
      lastFailureCode = 71
      return
    }
    // NOTE: Ctrl-C reaches the child too (same process group), which ends it; the REPL's own
    // handler only sets a flag, cleared here.
    process.waitUntilExit()
    Interrupt.clear()
    if process.terminationStatus != 0 {
      writeError("! exited with status \(process.terminationStatus)\n")
      lastFailureCode = 1
    }
  }

  private func changeDirectory(to argument: String) {
    let environment = ProcessInfo.processInfo.environment
    let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    let target = argument.isEmpty ? home : (argument as NSString).expandingTildeInPath
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: target, isDirectory: &isFolder), isFolder.boolValue
    else {
      writeError("cannot change to '\(argument)': no such folder\n")
      lastFailureCode = 74
      return
    }
    guard FileManager.default.changeCurrentDirectoryPath(target) else {
      writeError("cannot change to '\(argument)': permission denied\n")
      lastFailureCode = 74
      return
    }
    write(FileManager.default.currentDirectoryPath + "\n")
  }

  /// `:timeit code`: runs the code in loops of 1, 10, 100, … until a loop takes 0.2 s (or the
  /// code once takes longer), then 5 such loops, and prints the time per run as IPython does.
  private func timeit(_ code: String) -> Int32? {
    entryCount += 1
    let compilation = interpreter.compile(sourceFile(for: code, firstLine: linesRead))
    if !compilation.diagnostics.isEmpty {
      report(compilation.diagnostics)
      return nil
    }
    let clock = ContinuousClock()
    func seconds(_ duration: Duration) -> Double {
      Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
    func loop(_ count: Int) throws(RuntimeError) -> Double {
      let start = clock.now
      for _ in 0..<count { try interpreter.execute(compilation.statements) }
      return seconds(clock.now - start)
    }
    do {
      var count = 1
      var elapsed = try loop(1)
      while elapsed < 0.2, count < 1_000_000 {
        count *= 10
        elapsed = try loop(count)
      }
      var perRun = [elapsed / Double(count)]
      let repeats = elapsed * 4 > 10 ? 1 : 5
      for _ in 1..<repeats { perRun.append(try loop(count) / Double(count)) }
      let mean = perRun.reduce(0, +) / Double(perRun.count)
      let deviation = (perRun.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
        / Double(perRun.count)).squareRoot()
      let runs = repeats == 1 ? "1 run" : "\(repeats) runs"
      let loops = count == 1 ? "1 loop" : "\(count.formatted()) loops"
      write(
        "\(REPL.duration(mean)) ± \(REPL.duration(deviation)) per loop "
          + "(mean ± std. dev. of \(runs), \(loops) each)\n")
    } catch {
      return handle(error)
    }
    return nil
  }

  /// `1.23 ms`, `45.6 µs`, `2.01 s`: three significant digits in the unit that fits.
  static func duration(_ seconds: Double) -> String {
    let (scaled, unit): (Double, String) =
      seconds >= 1 ? (seconds, "s") : seconds >= 1e-3 ? (seconds * 1e3, "ms")
      : seconds >= 1e-6 ? (seconds * 1e6, "µs") : (seconds * 1e9, "ns")
    return String(format: scaled >= 100 ? "%.0f" : scaled >= 10 ? "%.1f" : "%.2f", scaled)
      + " " + unit
  }

  private func usage(_ text: String) -> Int32? {
    writeError("usage: \(text)\n")
    lastFailureCode = 64
    return nil
  }

  private func help(for topic: String) -> String {
    let registry = interpreter.registry
    if topic.isEmpty {
      return registry.overview + "\n" + """
        commands:
          :help [name]   this text, or a builtin's signature and example
          :vars          the variables of this session
          :load FILE     run a script in this session
          :save FILE     write this session's accepted input as a script
          :report FILE   write this session so far as an HTML report (entries, outputs, figures)
          :notebook FILE write this session so far as a Jupyter notebook (.ipynb)
          :time CODE     run code and print how long it took
          :timeit CODE   run code many times and print the time per run (mean ± std. dev.)
          :reset         clear every variable (asks first when trained models are unsaved)
          :cd [FOLDER]   change the working folder (home without one); prints it
          :quit          leave (Ctrl-D also works)
          ?name, name?   help for a builtin, type, method or variable, as :help name
          !command       run a shell command
          _              the last value echoed at the prompt
          del name       remove a variable (a builtin it shadowed is seen again)
        """
    }
    if let text = registry.helpText(for: topic) { return text }
    if let value = interpreter.global(topic) {
      switch value {
      case .host(let object): return object.hostType.helpText
      case .function(.user(let function)):
        return "\(topic): fn defined at \(function.declaration.range)"
      default: return "\(topic) is a \(value.typeName): \(summary(of: value))"
      }
    }
    let candidates = registry.helpTopics + interpreter.globalVariables.map(\.name)
    let hint = suggestion(for: topic, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
    return "no help for '\(topic)'\(hint)"
  }

  private func variablesTable() -> String {
    let variables = interpreter.globalVariables.filter { $0.name != REPL.lastValueName }
    guard !variables.isEmpty else { return "no variables yet\n" }
    let nameWidth = variables.map(\.name.count).max()!
    let kindWidth = variables.map(\.value.typeName.count).max()!
    return variables.map { name, value in
      name.padding(toLength: nameWidth + 2, withPad: " ", startingAt: 0)
        + value.typeName.padding(toLength: kindWidth + 2, withPad: " ", startingAt: 0)
        + summary(of: value) + "\n"
    }.joined()
  }

  /// One line describing a value for `:vars`.
  private func summary(of value: Value) -> String {
    switch value {
    case .host(let object): return object.summary
    case .list(let list):
      let shown = value.repr
      return shown.count <= 60 ? shown : "\(list.elements.count) elements"
    case .record(let record):
      let shown = value.repr
      return shown.count <= 60
        ? shown : "\(record.count) entries: " + record.keys.joined(separator: ", ")
    default:
      let shown = value.repr
      return shown.count <= 60 ? shown : String(shown.prefix(59)) + "…"
    }
  }

  private func load(path: String) {
    let expanded = (path as NSString).expandingTildeInPath
    guard let data = FileManager.default.contents(atPath: expanded) else {
      writeError("cannot read '\(path)': no such file or not readable\n")
      lastFailureCode = 74
      return
    }
    let (file, invalid) = SourceFile.decoding(data, name: path)
    if let invalid {
      report([invalid])
      return
    }
    let text = file.text
    let compilation = interpreter.compile(SourceFile(name: path, text: text))
    _ = run("# loaded from \(path)\n" + text, compilation: compilation, echo: false)
  }

  private func save(path: String) {
    if let (message, help) = writeProblem(at: path) {
      writeError("cannot write '\(path)': \(message)\n" + (help.map { "help: \($0)\n" } ?? ""))
      lastFailureCode = 74
      return
    }
    let expanded = (path as NSString).expandingTildeInPath
    let interrupted = acceptedInput.filter(\.wasInterrupted).count
    var script = "# kms session saved \(Date())\n"
    if interrupted > 0 {
      script += "# \(interrupted) of these entries were interrupted with Ctrl-C (marked below);"
        + " replaying runs them in full\n"
    }
    for (entry, wasInterrupted) in acceptedInput {
      if wasInterrupted { script += "# interrupted with Ctrl-C in the session:\n" }
      script += entry + "\n"
    }
    do {
      try AtomicFile.write(Data(script.utf8), to: expanded)
      write("saved \(acceptedInput.count) entries to \(path)\n")
    } catch {
      writeError("cannot write '\(path)': \(writeFailure(error))\n")
      lastFailureCode = 74
    }
  }

  /// `:report` and `:notebook`: the session so far, one cell per entry, written atomically.
  private func writeNotebook(to path: String, encode: (Notebook) throws -> Data) {
    if let (message, help) = writeProblem(at: path) {
      writeError("cannot write '\(path)': \(message)\n" + (help.map { "help: \($0)\n" } ?? ""))
      lastFailureCode = 74
      return
    }
    let notebook = recorder.notebook(title: "kms session, \(Date())")
    do {
      try writeAtomically(try encode(notebook), to: path)
      let count = notebook.cells.filter { $0.kind == .code }.count
      write("wrote \(count) entr\(count == 1 ? "y" : "ies") to \(path)\n")
    } catch {
      writeError("cannot write '\(path)': \(writeFailure(error))\n")
      lastFailureCode = 74
    }
  }

  // MARK: - Completion

  /// Tab-completion candidates for the word being typed.
  /// - Parameters:
  ///   - word: the word under the cursor.
  ///   - line: the whole line.
  ///   - start: the word's byte offset in the line.
  /// - Returns: the candidates, or nil inside a string (complete a file path instead).
  func completions(for word: String, line: String, start: Int) -> [String]? {
    let before = String(decoding: line.utf8.prefix(start), as: UTF8.self)
    var quotes = 0
    var escaped = false
    for character in before {
      if escaped {
        escaped = false
      } else if character == "\\" {
        escaped = true
      } else if character == "\"" {
        quotes += 1
      }
    }
    if quotes % 2 == 1 { return nil }
    // Readline breaks words at ':', so `:he` arrives as the word `he` after a ':'.
    let trimmedBefore = before.trimmingCharacters(in: .whitespaces)
    if trimmedBefore.isEmpty, word.hasPrefix(":") {
      return REPL.metaCommands.filter { $0.hasPrefix(word) }
    }
    if trimmedBefore.isEmpty, word.hasPrefix("?") {
      let topics = interpreter.registry.helpTopics + interpreter.globalVariables.map(\.name)
      return Set(topics).filter { ("?" + $0).hasPrefix(word) }.sorted().map { "?" + $0 }
    }
    if trimmedBefore == ":" {
      return REPL.metaCommands.map { String($0.dropFirst()) }.filter { $0.hasPrefix(word) }
    }
    if trimmedBefore.hasPrefix(":") {
      let command = String(trimmedBefore.prefix { !$0.isWhitespace })
      // `:load` and `:save` take a path; `:help` a topic, named without a parenthesis.
      if REPL.pathCommands.contains(command) { return nil }
      if command == ":help" || command == ":h" {
        let topics = interpreter.registry.helpTopics + interpreter.globalVariables.map(\.name)
        return Set(topics).filter { $0.hasPrefix(word) }.sorted()
      }
    }
    if let dot = word.lastIndex(of: ".") {
      let base = String(word[..<dot])
      let partial = String(word[word.index(after: dot)...])
      return members(of: base).filter { $0.hasPrefix(partial) }.sorted().map { base + "." + $0 }
    }
    // Functions complete with their opening parenthesis, as in Python's REPL.
    var names = Set(Keyword.allCases.map(\.rawValue))
    names.formUnion(interpreter.registry.builtins.map { $0.name + "(" })
    for (name, value) in interpreter.globalVariables {
      if case .function = value { names.insert(name + "(") } else { names.insert(name) }
    }
    return names.filter { $0.hasPrefix(word) }.sorted()
  }

  /// The attribute and method names of `a.b.c`, walking records and host attributes only (no
  /// method is called while completing).
  private func members(of path: String) -> [String] {
    let parts = path.split(separator: ".").map(String.init)
    guard let first = parts.first, var value = interpreter.global(first) else { return [] }
    for part in parts.dropFirst() {
      switch value {
      case .record(let record):
        guard let next = record[part] else { return [] }
        value = next
      case .host(let object):
        guard let attribute = object.hostType.attribute(named: part),
          let next = try? attribute.value(of: object)
        else { return [] }
        value = next
      default: return []
      }
    }
    switch value {
    case .record(let record): return record.keys
    case .string:
      guard let type = interpreter.registry.hostType(named: "string") else { return [] }
      return type.memberNames.map { $0 + "(" }
    case .host(let object):
      let type = object.hostType
      return type.attributes.map(\.name)
        + type.memberNames.filter { type.method(named: $0) != nil }.map { $0 + "(" }
    default: return []
    }
  }

  // MARK: - Output

  /// What the prompt echoes: the value's repr, except that a history returned by a call
  /// (`t.fit(30)`, whose epoch lines just printed) shows its short form, not the table again.
  private func echoText(_ value: Value, of statement: Statement?) -> String {
    if case .host(let object) = value, object is HistoryObject,
      case .expression(let expression)? = statement?.kind, case .call = expression.kind
    {
      return "<history: \(object.summary)>  (print(_) or table(_) shows every epoch)"
    }
    return interpreter.displayText(value, quoted: true)
  }

  private func isNone(_ value: Value) -> Bool {
    if case .none = value { return true }
    return false
  }

  /// Echoed values and meta-command output go to the session's display, as everything the
  /// entries print does.
  private func write(_ text: String) {
    interpreter.display.write(text)
  }

  private func writeError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }
}
