import Foundation
import KMSPlot
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A kms REPL running on a pseudo-terminal, so readline, completion and Ctrl-C behave as they
/// do for a person at a terminal.
final class TerminalSession {
  private let master: Int32
  private let pid: pid_t
  private(set) var transcript = ""
  /// What the last successful `expect` read before its text.
  private(set) var skipped = ""
  /// The HOME folder the session runs with (its history file lives there).
  let home: URL

  /// Starts `kms arguments…` with HOME set to `home` and the history in `historyFile` under
  /// it (nil: KMS_HISTORY unset, so kms picks the file).
  init(
    executable: URL, home: URL, arguments extra: [String] = [], historyFile: String? = "history"
  ) throws {
    // Everything the child needs is prepared before fork: after it only exec runs.
    let arguments = [executable.path] + extra
    var environment = ["TERM=dumb", "HOME=\(home.path)", "NO_COLOR=1"]
    if let historyFile { environment.append("KMS_HISTORY=\(home.path)/\(historyFile)") }
    if let path = ProcessInfo.processInfo.environment["PATH"] { environment.append("PATH=\(path)") }
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = environment.map { strdup($0) } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var master: Int32 = -1
    var size = winsize(ws_row: 24, ws_col: 120, ws_xpixel: 0, ws_ypixel: 0)
    let pid = forkpty(&master, nil, nil, &size)
    if pid == 0 {
      execve(argv[0]!, argv, envp)
      _exit(127)
    }
    guard pid > 0 else { throw POSIXError(.EAGAIN) }
    self.home = home
    self.master = master
    self.pid = pid
  }

  deinit {
    kill(pid, SIGKILL)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    close(master)
  }

  func send(_ text: String) {
    _ = text.withCString { write(master, $0, strlen($0)) }
  }

  /// Reads until `text` appears after everything already matched, or the timeout passes.
  @discardableResult
  func expect(_ text: String, timeout: Double = 10) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if let range = transcript.range(of: text) {
        skipped = String(transcript[..<range.lowerBound])
        transcript = String(transcript[range.upperBound...])
        return true
      }
      var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
      guard poll(&descriptor, 1, 100) > 0 else { continue }
      var buffer = [UInt8](repeating: 0, count: 4096)
      let count = read(master, &buffer, buffer.count)
      if count <= 0 { break }
      transcript += String(decoding: buffer[0..<count], as: UTF8.self)
    }
    return false
  }

  /// Waits for the process to end and returns its exit status.
  func waitForExit(timeout: Double = 10) -> Int32? {
    let deadline = Date().addingTimeInterval(timeout)
    var status: Int32 = 0
    while Date() < deadline {
      // Keep draining output so the child never blocks on a full terminal buffer.
      _ = expect("\u{0}", timeout: 0.05)
      if waitpid(pid, &status, WNOHANG) == pid {
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : nil
      }
    }
    return nil
  }
}

@Suite("REPL on a terminal")
struct TerminalSessionTests {
  func start() throws -> TerminalSession {
    let home = try temporaryFile("home").deletingLastPathComponent()
    let session = try TerminalSession(executable: try kmsExecutable(), home: home)
    #expect(session.expect("(:help for help, Ctrl-D to quit)"))
    #expect(session.expect("> "))
    return session
  }

  @Test("TAB completes a variable name")
  func completion() throws {
    let session = try start()
    session.send("xylophone = 41\n")
    #expect(session.expect("> "))
    session.send("xylo\t")
    #expect(session.expect("xylophone"))
    session.send(" + 1\n")
    #expect(session.expect("42"))
  }

  @Test("TAB completes members after a dot and builtins")
  func memberCompletion() throws {
    let session = try start()
    session.send("config = {learning_rate: 0.5, batch: 2}\n")
    #expect(session.expect("> "))
    session.send("config.lea\t\n")
    #expect(session.expect("0.5"))
    session.send("sqr\t9)\n")
    #expect(session.expect("3"))
  }

  @Test("TAB inside a string completes a file path")
  func pathCompletion() throws {
    let folder = try temporaryFile("unique_fixture_for_completion.kms", contents: "x = 1\n")
      .deletingLastPathComponent()
    let session = try start()
    // Readline completes the name and closes the quote.
    session.send("path = \"\(folder.path)/unique_fix\t\n")
    #expect(session.expect("unique_fixture_for_completion.kms\""))
    session.send("len(path) > 30\n")
    #expect(session.expect("true"))
  }

  @Test("history persists in the history file")
  func history() throws {
    let session = try start()
    session.send("remembered = 12345\n")
    #expect(session.expect("> "))
    session.send("\u{04}")
    #expect(session.waitForExit() == 0)
    let history = try String(
      contentsOf: session.home.appendingPathComponent("history"), encoding: .utf8)
    #expect(history.contains("remembered = 12345"))
    // A new session finds it with the up arrow.
    let next = try TerminalSession(executable: try kmsExecutable(), home: session.home)
    #expect(next.expect("> "))
    next.send("\u{1B}[A\n")
    #expect(next.expect("12345"))
  }

  @Test("an open block continues on a '...' line")
  func continuation() throws {
    let session = try start()
    session.send("if true {\n")
    #expect(session.expect("... "))
    session.send("print(\"inside\")\n")
    #expect(session.expect("... "))
    session.send("}\n")
    #expect(session.expect("inside"))
    #expect(session.expect("> "))
  }

  @Test("an error is followed by a working line in the same session")
  func errorThenCorrectLine() throws {
    let session = try start()
    session.send("kept = 5\n")
    #expect(session.expect("> "))
    session.send("print(nope)\n")
    // Entries are numbered, so tracebacks across entries can be told apart.
    #expect(session.expect("<entry 2>:1:7: error: unknown name 'nope'"))
    session.send("print(kept * 2)\n")
    #expect(session.expect("10"))
  }

  @Test("Ctrl-C stops a long loop and keeps every variable")
  func interruptLoop() throws {
    let session = try start()
    session.send("kept = 41\n")
    #expect(session.expect("> "))
    session.send("i = 0\n")
    #expect(session.expect("> "))
    session.send("while true { i = i + 1 }\n")
    Thread.sleep(forTimeInterval: 0.5)
    session.send("\u{03}")
    #expect(session.expect("interrupted at <entry 3>:1:"))
    #expect(session.expect("> "))
    session.send("print(i > 0, kept + 1)\n")
    #expect(session.expect("true 42"))
  }

  @Test("a multi-line entry comes back as one history item after a restart")
  func multiLineHistory() throws {
    let session = try start()
    session.send("if true {\n")
    #expect(session.expect("... "))
    session.send("print(\"first\" + \"line\")\n")
    #expect(session.expect("... "))
    session.send("}\n")
    #expect(session.expect("firstline"))
    #expect(session.expect("> "))
    session.send("\u{04}")
    #expect(session.waitForExit() == 0)
    let next = try TerminalSession(executable: try kmsExecutable(), home: session.home)
    #expect(next.expect("> "))
    // One up arrow brings back the whole entry (not its last line, `}`), which runs again.
    next.send("\u{1B}[A\n")
    #expect(next.expect("firstline"), "\(next.transcript)")
  }

  @Test("TAB completes meta commands, :help topics without '(' and :load paths")
  func metaCompletion() throws {
    let folder = try temporaryFile("unique_script_to_load.kms", contents: "loaded = 77\n")
      .deletingLastPathComponent()
    let session = try start()
    session.send(":he\t\n")
    #expect(session.expect("commands:"))
    #expect(session.expect("> "))
    session.send(":help traine\t\n")
    #expect(session.expect("example: t = trainer("), "\(session.transcript)")
    #expect(!session.transcript.contains("no help for"))
    #expect(session.expect("> "))
    session.send(":load \(folder.path)/unique_scr\t\n")
    #expect(session.expect("> "))
    session.send("loaded + 1\n")
    #expect(session.expect("78"), "\(session.transcript)")
  }

  @Test("the history file follows $HOME when KMS_HISTORY is not set")
  func historyInHome() throws {
    let home = try temporaryFile("home").deletingLastPathComponent()
    let session = try TerminalSession(
      executable: try kmsExecutable(), home: home, historyFile: nil)
    #expect(session.expect("> "))
    session.send("in_home = 1\n")
    #expect(session.expect("> "))
    session.send("\u{04}")
    #expect(session.waitForExit() == 0)
    let history = try String(
      contentsOf: home.appendingPathComponent(".kms_history"), encoding: .utf8)
    #expect(history.contains("in_home = 1"))
  }

  @Test("the last expression of a ';' line echoes; 'else' on its own line gets a hint")
  func echoAndElse() throws {
    let session = try start()
    session.send("x = 5; x += 1; x\n")
    #expect(session.expect("6"))
    #expect(session.expect("> "))
    session.send("if x > 10 { print(1) }\n")
    #expect(session.expect("> "))
    session.send("else { print(2) }\n")
    #expect(session.expect("write '} else {' on that line"))
  }

  @Test("Ctrl-C at the prompt clears the line; Ctrl-D quits with 0")
  func promptKeys() throws {
    let session = try start()
    session.send("this is not code")
    Thread.sleep(forTimeInterval: 0.2)
    session.send("\u{03}")
    #expect(session.expect("> "))
    session.send("print(6 * 7)\n")
    #expect(session.expect("42"))
    #expect(!session.transcript.contains("error"))
    // Ctrl-D only means end of input to readline once it is reading again: sent earlier, it
    // lands while the terminal is being switched back to raw mode and may be flushed.
    #expect(session.expect("> "))
    session.send("\u{04}")
    let status = session.waitForExit()
    #expect(status == 0, "transcript after the prompt: \(session.transcript.debugDescription)")
  }

  @Test(":report and :notebook write the session so far: entries as cells, outputs, figures, errors")
  func sessionNotebook() throws {
    let folder = try temporaryFile("session-out").deletingLastPathComponent()
      .appendingPathComponent("written")
    try? FileManager.default.removeItem(at: folder)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let session = try start()
    for entry in [
      "## Setup", "x = 21", "print(\"x doubled\", x * 2)", "data = kmnist(sample: true)",
      "show(images(data.test, per_class: 1))", "[1, 2][5]", ":vars",
    ] {
      session.send(entry + "\n")
      #expect(session.expect("> "), "no prompt after \(entry)")
    }
    session.send(":report \(folder.path)/session.html\n")
    #expect(session.expect("wrote 5 entries to \(folder.path)/session.html"))
    session.send(":notebook \(folder.path)/session.ipynb\n")
    #expect(session.expect("wrote 5 entries to \(folder.path)/session.ipynb"))
    #expect(session.expect("> "))
    // Written atomically: nothing but the two files.
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    #expect(names == ["session.html", "session.ipynb"])

    let data = try Data(contentsOf: folder.appendingPathComponent("session.ipynb"))
    let notebook = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(notebook["nbformat"] as? Int == 4)
    let cells = try #require(notebook["cells"] as? [[String: Any]])
    #expect(cells.map { $0["cell_type"] as! String } == ["markdown"] + Array(repeating: "code", count: 5))
    #expect(cells[0]["source"] as? [String] == ["## Setup"])
    #expect(cells[2]["source"] as? [String] == ["print(\"x doubled\", x * 2)"])
    #expect(cells.dropFirst().map { $0["execution_count"] as? Int } == [1, 2, 3, 4, 5])
    func outputs(_ index: Int) -> [[String: Any]] { cells[index]["outputs"] as? [[String: Any]] ?? [] }
    #expect(outputs(1).isEmpty)
    #expect(outputs(2).first?["text"] as? [String] == ["x doubled 42\n"])
    let image = try #require(outputs(4).first { $0["output_type"] as? String == "display_data" })
    let base64 = try #require((image["data"] as? [String: Any])?["image/png"] as? String)
    let canvas = try Canvas.decodePNG(Array(try #require(Data(base64Encoded: base64))))
    #expect(canvas.width > 100 && canvas.height > 50)
    let error = try #require(outputs(5).last)
    #expect(error["output_type"] as? String == "error")
    #expect((error["evalue"] as? String)?.contains("index 5 out of range") == true)
    // The :vars table went to the terminal only.
    let texts = cells.flatMap { cell in
      (cell["outputs"] as? [[String: Any]] ?? []).flatMap { $0["text"] as? [String] ?? [] }
    }
    #expect(!texts.joined().contains("number  21"), "\(texts)")
    #expect(!cells.contains { ($0["source"] as? [String])?.first?.hasPrefix(":") == true })

    let page = try String(contentsOf: folder.appendingPathComponent("session.html"), encoding: .utf8)
    #expect(page.contains("<h2>Setup</h2>"))
    #expect(page.contains("index 5 out of range"))
    #expect(page.components(separatedBy: "src=\"data:image/png;base64,").count == 2)

    session.send(":report\n")
    #expect(session.expect("usage: :report out.html"))
  }

  @Test("'_' holds the last echoed value; '?name' and 'name?' show help; '!cmd' runs a shell")
  func ipythonHabits() throws {
    let session = try start()
    session.send("6 * 7\n")
    #expect(session.expect("42"))
    session.send("_ + 1\n")
    #expect(session.expect("43"))
    // A statement that echoes nothing leaves '_' as it was.
    session.send("unused = 5\n")
    #expect(session.expect("> "))
    session.send("_ * 2\n")
    #expect(session.expect("86"))
    // '_' is the prompt's, not one of the session's variables (it would be listed first).
    session.send(":vars\n")
    #expect(session.expect("unused"))
    #expect(!session.skipped.contains("_ "), "\(session.skipped)")
    #expect(session.expect("> "))
    session.send("?linspace\n")
    #expect(session.expect("linspace(start, stop, count: 50)"))
    session.send("sorted?\n")
    #expect(session.expect("sorted(values, key: none, reverse: false)"))
    session.send("string.split?\n")
    #expect(session.expect("string.split(separator: none)"))
    session.send("!echo from-the-shell-$((40 + 2))\n")
    #expect(session.expect("from-the-shell-42"))
    session.send("!exit 3\n")
    #expect(session.expect("! exited with status 3"))
    #expect(session.expect("> "))
    // TAB after '?' completes help topics.
    session.send("?linsp\t\n")
    #expect(session.expect("count evenly spaced numbers"), "\(session.transcript)")
    // TAB after a string variable's dot completes string methods.
    session.send("word = \"kana\"\n")
    #expect(session.expect("> "))
    session.send("word.upp\t)\n")
    #expect(session.expect("\"KANA\""), "\(session.transcript)")
  }

  @Test(":cd changes the folder, :timeit times code, del restores a shadowed builtin")
  func folderTimingAndDel() throws {
    let folder = try temporaryFile("marker_for_cd.kms", contents: "from_cd = 9\n")
      .deletingLastPathComponent().resolvingSymlinksInPath()
    let session = try start()
    session.send(":cd \(folder.path)\n")
    #expect(session.expect(folder.path))
    session.send(":load marker_for_cd.kms\n")
    #expect(session.expect("> "))
    session.send("from_cd + 1\n")
    #expect(session.expect("10"))
    session.send(":cd /no/such/folder\n")
    #expect(session.expect("cannot change to '/no/such/folder': no such folder"))
    session.send(":timeit sqrt(2) * 3\n")
    #expect(session.expect("per loop (mean ± std. dev. of "), "\(session.transcript)")
    #expect(session.expect("loops each)"))
    session.send("print = 5\n")
    #expect(session.expect("> "))
    session.send("del print\n")
    #expect(session.expect("> "))
    session.send("print(\"builtin\" + \"-again\")\n")
    #expect(session.expect("builtin-again"))
    // TAB completes the new meta commands, and :cd's folder as a path.
    session.send(":res\t\n")
    #expect(session.expect("session cleared"), "\(session.transcript)")
    session.send(":timei\t 1 + 1\n")
    #expect(session.expect("per loop"), "\(session.transcript)")
  }

  @Test(":reset clears every variable, asking first when a trained model is unsaved")
  func reset() throws {
    let session = try start()
    session.send("kept = 1\n")
    #expect(session.expect("> "))
    session.send(":reset\n")
    #expect(session.expect("session cleared"))
    session.send("kept\n")
    #expect(session.expect("unknown name 'kept'"))
    session.send("data = kmnist(sample: true)\n")
    #expect(session.expect("> "))
    session.send("ae = autoencoder([8])\n")
    #expect(session.expect("> "))
    session.send("t = trainer(ae, data.train.subset(per_class: 2), batch: 10)\n")
    #expect(session.expect("> "))
    session.send("r = t.step(verbose: false)\n")
    #expect(session.expect("> ", timeout: 60))
    session.send(":reset\n")
    #expect(session.expect("1 trained model not saved (ae); clear the session anyway? [y/N] "))
    session.send("n\n")
    #expect(session.expect("> "))
    session.send("type(ae)\n")
    #expect(session.expect("\"model\""))
    session.send(":reset\n")
    #expect(session.expect("clear the session anyway? [y/N] "))
    session.send("y\n")
    #expect(session.expect("session cleared"))
    session.send("ae\n")
    #expect(session.expect("unknown name 'ae'"))
  }

  @Test("a fit at the prompt echoes its history's short form, not the table again")
  func fitEcho() throws {
    let session = try start()
    session.send("data = kmnist(sample: true)\n")
    #expect(session.expect("> "))
    session.send("t = trainer(autoencoder([8]), data.train.subset(per_class: 2), batch: 10)\n")
    #expect(session.expect("> "))
    session.send("t.fit(2)\n")
    // The bar knows the fit's last epoch, through the recorder behind :report.
    #expect(session.expect("epoch 2/2 ", timeout: 60), "\(session.transcript)")
    #expect(session.expect("epoch 2  loss", timeout: 60))
    #expect(session.expect("<history: 2 epochs"), "\(session.transcript)")
    #expect(session.expect("> "))
    #expect(!session.transcript.contains("seconds"))
    // The history is in '_', and printing it shows the table.
    session.send("print(_)\n")
    #expect(session.expect("epoch  loss    seconds"), "\(session.transcript)")
    // A bare name still echoes the full form.
    session.send("h = t.history\n")
    #expect(session.expect("> "))
    session.send("h\n")
    #expect(session.expect("epoch  loss    seconds"))
  }
}
