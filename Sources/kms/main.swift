import ArgumentParser
import Foundation
import KMSLang

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

  @Argument(
    parsing: .captureForPassthrough,
    help: ArgumentHelp("Arguments for the script, read with args().", valueName: "args"))
  var scriptArguments: [String] = []

  func run() throws {
    let command = self
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
      return runThenMaybeStay(file, arguments: scriptArguments)
    }
    return REPL(interpreter: makeInterpreter(arguments: [])).run()
  }

  /// Runs the source; with `-i` the REPL then starts with its variables, whether it ended,
  /// failed or was interrupted (only `exit()` ends the process).
  private func runThenMaybeStay(_ file: SourceFile, arguments: [String]) -> Int32 {
    let interpreter = makeInterpreter(arguments: arguments)
    guard interactive else {
      return runSource(file, in: interpreter, suggestInteractive: true).code
    }
    let outcome = runSource(file, in: interpreter, suggestInteractive: false)
    if outcome.calledExit { return outcome.code }
    return REPL(interpreter: interpreter).run()
  }
}

/// Runs a whole program and reports errors.
/// - Parameters:
///   - file: the program.
///   - interpreter: runs it, and keeps its variables.
///   - suggestInteractive: after a runtime error or Ctrl-C, say that `kms -i` would have kept
///     the variables.
/// - Returns: the exit code, and whether the program ended itself with `exit()`.
func runSource(_ file: SourceFile, in interpreter: Interpreter, suggestInteractive: Bool)
  -> (code: Int32, calledExit: Bool)
{
  let isScript = !file.name.hasPrefix("<")
  let note =
    suggestInteractive && isScript
    ? "note: `kms -i \(file.name)` runs it and then stays in the REPL with its variables\n" : ""
  let colored = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
  switch interpreter.run(file) {
  case .success:
    return (0, false)
  case .failure(.compile(let diagnostics)):
    writeError(Diagnostic.render(diagnostics, colored: colored))
    return (65, false)
  case .failure(.runtime(let error)):
    switch error.kind {
    case .exit(let code): return (code, true)
    case .interrupted:
      writeError(interruptionMessage(error) + note)
      return (130, false)
    case .failure:
      writeError(Diagnostic(error).rendered(colored: colored) + note)
      return (70, false)
    }
  }
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
