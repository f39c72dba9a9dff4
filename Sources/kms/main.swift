import ArgumentParser
import Foundation
import KMSLang
import KMSTensor

/// The `kms` command: `kms` (a REPL), `kms file.kms` and `kms -e code` (the default
/// subcommand, `run`), and `kms bench`.
///
/// Exit codes follow sysexits (jlox's `Lox.java`, clox's `main.c`): 0 ok, 64 usage, 65 syntax or
/// resolution error, 70 runtime error, 74 I/O error; 130 when Ctrl-C stopped a script.
struct KMSCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kms",
    abstract: "A scripting REPL for autoencoder experiments on Kuzushiji-MNIST.",
    usage: """
      kms                      start the REPL
        kms FILE [ARGS…]         run a script (args() returns ARGS)
        kms -e CODE [ARGS…]      run CODE
        kms -i FILE [ARGS…]      run a script, then stay in the REPL with its variables
        kms FILE --report out.html --notebook out.ipynb   run it as an executed notebook
        kms FILE --trials [--results DIR] [--slurm FILE]  list its sweep's trials
        kms FILE --trial N --results DIR                  run one trial of its sweep
        kms bench [--quick]      time the libraries and the interpreter
      """,
    discussion: """
      With no arguments kms starts an interactive session (:help lists its commands).
      `kms bench` times the interpreter and the libraries.
      Exit codes: 0 ok, 64 usage, 65 syntax error, 70 runtime error, 74 I/O error.
      """,
    version: "kms \(kmsVersion)",
    subcommands: [RunCommand.self, BenchCommand.self],
    defaultSubcommand: RunCommand.self)
}

/// `kms [file [args…]]`, `kms -e code [args…]`: a script, a line of code, or the REPL.
struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "Run a script or code, or start the REPL (the default).")

  @Option(name: .customShort("e"), help: ArgumentHelp("Run CODE and exit.", valueName: "code"))
  var code: String?

  @Flag(
    name: .customShort("i"),
    help: "Run the script (or -e code), then stay in the REPL with its variables, as python -i.")
  var interactive = false

  @Argument(help: ArgumentHelp("A .kms script to run.", valueName: "file"))
  var script: String?

  @Option(help: ArgumentHelp("Write the executed script as an HTML report.", valueName: "out.html"))
  var report: String?

  @Option(help: ArgumentHelp("Write the executed script as a Jupyter notebook.", valueName: "out.ipynb"))
  var notebook: String?

  @Flag(help: "List the script's sweep as one command line per trial, then stop.")
  var trials = false

  @Option(help: ArgumentHelp("Run only this trial of the script's sweeps.", valueName: "n"))
  var trial: Int?

  @Option(help: ArgumentHelp("Where trials write and sweeps read result files.", valueName: "dir"))
  var results: String?

  @Option(help: ArgumentHelp("With --trials, also write a Slurm job-array script.", valueName: "file"))
  var slurm: String?

  @Argument(
    parsing: .captureForPassthrough,
    help: ArgumentHelp("Arguments for the script, read with args().", valueName: "args"))
  var scriptArguments: [String] = []

  func run() throws {
    var parsed = self
    // NOTE: `kms script.kms --report out.html` puts the flags among the script's arguments (they
    // follow the script); take kms's own out of them, up to a `--`.
    parsed.takeExperimentFlags()
    let command = parsed
    throw ExitCode(runOnLargeStack { command.runCommand() })
  }

  private func runCommand() -> Int32 {
    if let code {
      // With -e, every positional argument belongs to the code's args().
      let arguments = (script.map { [$0] } ?? []) + scriptArguments
      return runThenMaybeStay(SourceFile(name: "<command line>", text: code), arguments: arguments)
    }
    if let script {
      let path = (script as NSString).expandingTildeInPath
      guard let data = FileManager.default.contents(atPath: path) else {
        writeError("kms: cannot read '\(script)': no such file or not readable\n")
        return 74
      }
      // Invalid UTF-8 is a located lexical error (exit 65), as the same bytes through -e are.
      let (file, invalid) = SourceFile.decoding(data, name: script)
      if let invalid {
        let colored =
          isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        writeError(invalid.rendered(colored: colored))
        return invalid.exitCode
      }
      return runThenMaybeStay(file, arguments: scriptArguments, configure: configure(script: script))
    }
    return REPL(interpreter: makeInterpreter(arguments: [])).run()
  }

  /// Runs the source; with `-i` the REPL then starts with its variables, whether it ended,
  /// failed or was interrupted (only `exit()` ends the process).
  private func runThenMaybeStay(
    _ file: SourceFile, arguments: [String], configure: (Interpreter) -> Void = { _ in }
  ) -> Int32 {
    let interpreter = makeInterpreter(arguments: arguments)
    configure(interpreter)
    guard interactive else {
      return runSource(file, in: interpreter, suggestInteractive: true, report: report, notebook: notebook).code
    }
    let outcome = runSource(
      file, in: interpreter, suggestInteractive: false, report: report, notebook: notebook,
      keepsCells: true)
    if outcome.calledExit { return outcome.code }
    return REPL(interpreter: interpreter, earlierCells: outcome.cells).run()
  }

  /// Moves `--report`, `--notebook`, `--trials`, `--trial`, `--results` and `--slurm` from the
  /// script's arguments to the command's options; a `--` ends them (the rest is the script's).
  mutating func takeExperimentFlags() {
    var kept: [String] = []
    var index = 0
    let words = scriptArguments
    while index < words.count {
      let word = words[index]
      if word == "--" {
        kept += words[(index + 1)...]
        break
      }
      let value = index + 1 < words.count ? words[index + 1] : nil
      switch word {
      case "--trials": trials = true
      case "--report" where value != nil: report = value
      case "--notebook" where value != nil: notebook = value
      case "--results" where value != nil: results = value
      case "--slurm" where value != nil: slurm = value
      case "--trial" where value.flatMap(Int.init) != nil: trial = Int(value!)
      default:
        kept.append(word)
        index += 1
        continue
      }
      index += word == "--trials" ? 1 : 2
    }
    scriptArguments = kept
  }

  /// Sets how the script's sweeps run from the command's options.
  private func configure(script: String) -> (Interpreter) -> Void {
    let (trials, trial, results, slurm) = (self.trials, self.trial, self.results, self.slurm)
    return { interpreter in
      let settings = interpreter.experiment
      settings.script = script
      settings.executable = (try? FileManager.default.destinationOfSymbolicLink(
        atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
      settings.resultsFolder = results
      settings.slurmFile = slurm
      if trials {
        settings.mode = .list
        settings.listing = { FileHandle.standardOutput.write(Data($0.utf8)) }
        interpreter.display = TextDisplay { _ in }
      } else if let trial {
        settings.mode = .worker(trial: trial)
      }
    }
  }
}

/// Runs a whole program and reports errors.
/// - Parameters:
///   - file: the program.
///   - interpreter: runs it, and keeps its variables.
///   - suggestInteractive: after a runtime error or Ctrl-C, say that `kms -i` would have kept
///     the variables.
///   - report, notebook: where to write the run as an executed notebook (HTML, .ipynb).
/// - Returns: the exit code, and whether the program ended itself with `exit()`.
/// Runs a script (or `-e` code) and reports its failure.
/// - Parameters:
///   - keepsCells: whether to run it cell by cell and return the cells (`kms -i`, so the REPL's
///     `:report` holds the script too); its terminal output is a plain run's either way.
/// - Returns: the exit code, whether the script called `exit()`, and its cells when kept or
///   written (empty otherwise).
func runSource(_ file: SourceFile, in interpreter: Interpreter, suggestInteractive: Bool,
               report: String? = nil, notebook: String? = nil, keepsCells: Bool = false)
  -> (code: Int32, calledExit: Bool, cells: [NotebookCell])
{
  let isScript = !file.name.hasPrefix("<")
  let note =
    suggestInteractive && isScript
    ? "note: `kms -i \(file.name)` runs it and then stays in the REPL with its variables\n" : ""
  let colored = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
  var outcome = Result<Value?, RunFailure>.success(nil)
  var cells: [NotebookCell] = []
  if report != nil || notebook != nil || keepsCells {
    let (executed, failure) = Notebook.execute(
      file, on: interpreter, forward: TerminalDisplay(),
      echoesValues: report != nil || notebook != nil)
    cells = executed.cells
    if let failure { outcome = .failure(failure) }
    do {
      if let report { try writeAtomically(Data(executed.html().utf8), to: report) }
      if let notebook { try writeAtomically(try executed.ipynb(), to: notebook) }
    } catch {
      writeError("kms: cannot write the report: \((error as NSError).localizedDescription)\n")
      return (74, false, cells)
    }
  } else {
    outcome = interpreter.run(file)
  }
  switch outcome {
  case .success:
    return (0, false, cells)
  case .failure(.compile(let diagnostics)):
    writeError(Diagnostic.render(diagnostics, colored: colored))
    return (65, false, cells)
  case .failure(.runtime(let error)):
    switch error.kind {
    case .exit(let code): return (code, true, cells)
    case .interrupted:
      writeError(interruptionMessage(error) + note)
      return (130, false, cells)
    case .failure:
      writeError(Diagnostic(error).rendered(colored: colored) + note)
      return (70, false, cells)
    }
  }
}

/// Writes a file through a temporary one renamed into place, creating missing folders.
func writeAtomically(_ data: Data, to path: String) throws {
  let expanded = (path as NSString).expandingTildeInPath
  let folder = (expanded as NSString).deletingLastPathComponent
  if !folder.isEmpty {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  }
  try AtomicFile.write(data, to: expanded)
}

/// Deepest kms recursion the command allows; the interpreter thread's stack is sized for it.
let maximumCallDepth = 5_000

/// An interpreter for the command line: the standard builtins, deep recursion allowed.
func makeInterpreter(arguments: [String]) -> Interpreter {
  let interpreter = Interpreter(scriptArguments: arguments)
  interpreter.maximumCallDepth = maximumCallDepth
  return interpreter
}

/// The thread running the interpreter (and the line reader), once it has started.
nonisolated(unsafe) var interpreterThread: pthread_t?

/// Runs `body` on a thread with a 1 GiB stack (reserved, touched only as used) and returns its
/// result. A tree-walking interpreter uses native stack for every kms call level, a few KB in
/// optimized builds and tens of KB in debug builds, so the main thread's 8 MiB would cap kms
/// recursion at a few hundred levels. SIGINT is blocked on the waiting main thread so Ctrl-C is
/// delivered to the interpreter thread and wakes its `poll`.
func runOnLargeStack(_ body: @escaping @Sendable () -> Int32) -> Int32 {
  final class Outcome: @unchecked Sendable {
    var code: Int32 = 0
    let done = DispatchSemaphore(value: 0)
  }
  let outcome = Outcome()
  installInterruptHandler()
  let thread = Thread {
    interpreterThread = pthread_self()
    outcome.code = body()
    outcome.done.signal()
  }
  thread.stackSize = 1 << 30
  thread.start()
  var mask = sigset_t()
  sigemptyset(&mask)
  sigaddset(&mask, SIGINT)
  pthread_sigmask(SIG_BLOCK, &mask, nil)
  outcome.done.wait()
  return outcome.code
}

func writeError(_ text: String) {
  FileHandle.standardError.write(Data(text.utf8))
}

/// Makes Ctrl-C set `Interrupt` instead of killing the process; a second Ctrl-C before the
/// first was handled kills it (for code stuck where nothing polls the flag). No SA_RESTART, so
/// a blocked `poll` in the line reader wakes up.
///
/// NOTE: the kernel may hand SIGINT to any thread that does not block it, such as one of
/// OpenBLAS's or kms's worker threads, whose interrupted call nobody is waiting on. So the handler
/// also sends SIGUSR1 (whose handler does nothing) to the interpreter thread, which wakes its
/// `poll` with EINTR wherever the SIGINT landed.
func installInterruptHandler() {
  var wake = sigaction()
  wake.__sigaction_handler.sa_handler = { _ in }
  sigemptyset(&wake.sa_mask)
  wake.sa_flags = 0
  sigaction(SIGUSR1, &wake, nil)
  var action = sigaction()
  action.__sigaction_handler.sa_handler = { _ in
    if Interrupt.isRequested {
      signal(SIGINT, SIG_DFL)
      raise(SIGINT)
    }
    Interrupt.request()
    if let target = interpreterThread, pthread_equal(target, pthread_self()) == 0 {
      pthread_kill(target, SIGUSR1)
    }
  }
  sigemptyset(&action.sa_mask)
  action.sa_flags = 0
  sigaction(SIGINT, &action, nil)
  // A parent may have spawned us with SIGINT blocked (the mask survives exec); unblock it.
  var mask = sigset_t()
  sigemptyset(&mask)
  sigaddset(&mask, SIGINT)
  sigprocmask(SIG_UNBLOCK, &mask, nil)
}

KMSCommand.main()

/// `interrupted at <repl>:1:1`, followed by what the interrupted builtin said of its state
/// (training: "during epoch 3: the model keeps the weights of its last completed batch").
func interruptionMessage(_ error: RuntimeError) -> String {
  let detail = error.message.hasPrefix("interrupted")
    ? String(error.message.dropFirst("interrupted".count)) : ": " + error.message
  return "interrupted at \(error.range.file.name):\(error.range.start)\(detail)\n"
}
