import Foundation
import Testing

/// The built `kms` executable, next to this test bundle in the build folder.
func kmsExecutable() throws -> URL {
  var folder = Bundle.module.bundleURL.deletingLastPathComponent()
  for _ in 0..<3 {
    let candidate = folder.appendingPathComponent("kms")
    if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    folder = folder.deletingLastPathComponent()
  }
  throw KMSNotBuilt(folder: Bundle.module.bundleURL.deletingLastPathComponent().path)
}

struct KMSNotBuilt: Error, CustomStringConvertible {
  let folder: String
  var description: String {
    "no kms executable in \(folder); build it first (swift build --product kms)"
  }
}

/// The result of running kms to completion without a terminal.
struct Completed {
  var status: Int32
  var output: String
  var errors: String
}

/// Runs kms with pipes for stdin, stdout and stderr.
func runKMS(_ arguments: [String], input: String = "", environment: [String: String] = [:]) throws
  -> Completed
{
  let process = Process()
  process.executableURL = try kmsExecutable()
  process.arguments = arguments
  var merged = ProcessInfo.processInfo.environment
  merged["NO_COLOR"] = "1"
  merged.merge(environment) { $1 }
  process.environment = merged
  let stdin = Pipe()
  let stdout = Pipe()
  let stderr = Pipe()
  process.standardInput = stdin
  process.standardOutput = stdout
  process.standardError = stderr
  try process.run()
  stdin.fileHandleForWriting.write(Data(input.utf8))
  try stdin.fileHandleForWriting.close()
  let output = stdout.fileHandleForReading.readDataToEndOfFile()
  let errors = stderr.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return Completed(
    status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
    errors: String(decoding: errors, as: UTF8.self))
}

func temporaryFile(_ name: String, contents: String? = nil) throws -> URL {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
    "kms-tests-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  let url = folder.appendingPathComponent(name)
  if let contents { try Data(contents.utf8).write(to: url) }
  return url
}

@Suite("Command line")
struct CommandLineTests {
  @Test("piped input runs line by line and prints values")
  func pipedInput() throws {
    let result = try runKMS([], input: "print(1+2)\n")
    #expect(result.status == 0)
    #expect(result.output == "3\n")
    let echoed = try runKMS(
      [], input: "x = 20\nx * 2 + 2\n\"text\"\nif x > 1 {\n  print(\"multi\")\n}\n")
    #expect(echoed.output == "42\n\"text\"\nmulti\n")
  }

  @Test("an error in piped input does not end the session; the exit code reports it")
  func pipedErrors() throws {
    let result = try runKMS([], input: "print(nope)\nprint(\"after\")\n")
    #expect(result.output == "after\n")
    #expect(result.errors.contains("<stdin>:1:7: error: unknown name 'nope'"))
    // Errors name the line of the input they are on, also inside multi-line entries.
    let later = try runKMS([], input: "x = 1\n\nif x > 0 {\n  print(nope)\n}\n")
    #expect(later.errors.contains("<stdin>:4:9: error: unknown name 'nope'"), "\(later.errors)")
    #expect(result.status == 65)
    let runtime = try runKMS([], input: "1 / 0\nprint(\"still here\")\n")
    #expect(runtime.output == "still here\n")
    #expect(runtime.status == 70)
  }

  @Test("kms -i runs a script and stays in the REPL with its variables; a failure mentions -i")
  func interactiveAfterScript() throws {
    let script = try temporaryFile("fails.kms", contents: "kept = 41\nprint(kept / 0)\n")
    let plain = try runKMS([script.path])
    #expect(plain.status == 70)
    #expect(plain.errors.contains("note: `kms -i \(script.path)` runs it"), "\(plain.errors)")
    let stayed = try runKMS(["-i", script.path], input: "print(kept + 1)\n")
    #expect(stayed.errors.contains("division by zero"))
    #expect(!stayed.errors.contains("note:"))
    #expect(stayed.output == "42\n")
    let ended = try temporaryFile("ends.kms", contents: "done = \"yes\"\n")
    #expect(try runKMS(["-i", ended.path], input: "print(done)\n").output == "yes\n")
    let exits = try temporaryFile("exits.kms", contents: "exit(3)\n")
    #expect(try runKMS(["-i", exits.path], input: "print(1)\n").status == 3)
    #expect(try runKMS(["-i", "-e", "z = 2"], input: "print(z * 3)\n").output == "6\n")
  }

  @Test("after kms -i, :notebook holds the script's cells, then the prompt's entries")
  func interactiveNotebookHoldsTheScript() throws {
    let script = try temporaryFile(
      "cells.kms", contents: "## Setup\nx = 20\nprint(\"script says\", x)\nx\n")
    let path = script.deletingLastPathComponent().appendingPathComponent("session-i.ipynb").path
    try? FileManager.default.removeItem(atPath: path)
    let run = try runKMS(["-i", script.path], input: "print(x + 1)\n:notebook \(path)\n")
    // The terminal shows what a plain run shows: no echo of the script's last expression.
    #expect(run.output.hasPrefix("script says 20\n21\n"), "\(run.output)")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
    let cells = try #require((json as? [String: Any])?["cells"] as? [[String: Any]])
    let sources = cells.map { (($0["source"] as? [String]) ?? []).joined() }
    #expect(cells.first?["cell_type"] as? String == "markdown" && sources.first == "## Setup")
    let code = cells.filter { $0["cell_type"] as? String == "code" }
    #expect(code.count == 2, "\(sources)")
    #expect(code.map { $0["execution_count"] as? Int } == [1, 2])
    let texts = code.map { cell in
      ((cell["outputs"] as? [[String: Any]]) ?? []).compactMap { output in
        (output["text"] as? [String])?.joined()
      }.joined()
    }
    #expect(texts == ["script says 20\n", "21\n"], "\(texts)")
  }

  @Test("-e runs code with the remaining arguments as args()")
  func evaluate() throws {
    let result = try runKMS(["-e", "print(2 * 3, args())", "a", "b"])
    #expect(result.status == 0)
    #expect(result.output == "6 [\"a\", \"b\"]\n")
  }

  @Test("a script receives its arguments, including ones that look like options")
  func scriptArguments() throws {
    let script = try temporaryFile("args.kms", contents: "print(len(args()), args()[1])\n")
    let result = try runKMS([script.path, "7", "--fast"])
    #expect(result.status == 0)
    #expect(result.output == "2 --fast\n")
  }

  @Test("exit codes: 64 usage, 65 syntax, 70 runtime, 74 missing file, exit(n)")
  func exitCodes() throws {
    #expect(try runKMS(["--no-such-option"]).status == 64)
    let syntax = try runKMS(["-e", "x = = 1"])
    #expect(syntax.status == 65)
    #expect(syntax.errors.contains("<command line>:1:5: error: expected an expression, found '='"))
    let runtime = try runKMS(["-e", "fn f() { return [][0] }\nf()"])
    #expect(runtime.status == 70)
    #expect(runtime.errors.contains("stack traceback (innermost first):"))
    let missing = try runKMS(["/nonexistent/script.kms"])
    #expect(missing.status == 74)
    #expect(missing.errors.contains("cannot read '/nonexistent/script.kms'"))
    #expect(try runKMS(["-e", "exit(3)"]).status == 3)
  }

  @Test("--version and --help")
  func versionAndHelp() throws {
    let version = try runKMS(["--version"])
    #expect(version.status == 0)
    #expect(version.output.hasPrefix("kms "))
    let help = try runKMS(["--help"])
    #expect(help.status == 0)
    #expect(help.output.contains("USAGE: kms"))
    #expect(help.output.contains("kms -e CODE"))
    #expect(help.output.contains("kms bench"))
    let runHelp = try runKMS(["run", "--help"])
    #expect(runHelp.status == 0)
    #expect(runHelp.output.contains("-e <code>"))
  }

  @Test("Ctrl-C stops a running script with exit code 130")
  func interruptScript() throws {
    let process = Process()
    process.executableURL = try kmsExecutable()
    process.arguments = ["-e", "print(\"started\")\nwhile true { }"]
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    // Wait until the loop is running, then interrupt.
    let started = stdout.fileHandleForReading.availableData
    #expect(String(decoding: started, as: UTF8.self) == "started\n")
    kill(process.processIdentifier, SIGINT)
    let deadline = Date().addingTimeInterval(10)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      Issue.record("kms did not stop within 10 s of SIGINT")
    }
    process.waitUntilExit()
    #expect(process.terminationStatus == 130)
    let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(errors.contains("interrupted at <command line>:2:"))
  }

  @Test(":save writes accepted entries as a script that runs")
  func saveAndLoad() throws {
    let saved = try temporaryFile("session.kms")
    let session = try runKMS([], input: "a = 2\nbad)\nb = a * 21\n:save \(saved.path)\n")
    #expect(session.output.contains("saved 2 entries"))
    #expect(try runKMS([saved.path]).status == 0)
    let text = try String(contentsOf: saved, encoding: .utf8)
    #expect(text.hasSuffix("a = 2\nb = a * 21\n"))
    let loaded = try runKMS([], input: ":load \(saved.path)\nprint(b)\n:vars\n")
    #expect(loaded.output.hasPrefix("42\n"))
    #expect(loaded.output.contains("b  number  42"))
  }

  @Test(":help, :time and unknown commands")
  func metaCommands() throws {
    let result = try runKMS([], input: ":help len\n:time 1 + 1\n:bogus\n:help\n")
    #expect(result.output.contains("len(value)\n  the number of elements"))
    #expect(result.output.contains("2\ntime: "))
    #expect(result.errors.contains("unknown command ':bogus'"))
    #expect(result.output.contains(":save FILE"))
  }

  @Test("kms bench --quick times the interpreter")
  func bench() throws {
    let result = try runKMS(["bench", "--quick"])
    #expect(result.status == 0)
    #expect(result.output.contains("while loop"))
    #expect(try runKMS(["bench", "--bogus"]).status == 64)
  }

  @Test("kms bench products times the MLP's products alone and prints the line bench-compare reads")
  func benchProducts() throws {
    let result = try runKMS(["bench", "products", "mlp", "--rounds", "1", "--batches", "2"])
    #expect(result.status == 0)
    #expect(result.output.contains("225-200-10 at batch 140 (0.027 GFLOP a batch)"))
    #expect(result.output.contains("1 worker(s)  best"))
    let last = result.output.split(separator: "\n").last.map(String.init) ?? ""
    #expect(last.hasPrefix("products ") && last.contains(" GFLOP/s best, "))
    #expect(try runKMS(["bench", "products", "cnn"]).status == 64)
    #expect(try runKMS(["bench", "products", "--rounds", "0"]).status == 64)
  }
}
