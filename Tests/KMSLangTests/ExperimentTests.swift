import Foundation
import KMSPlot
import Testing

@testable import KMSLang

/// A sweep of four tiny trials (a 16-4 autoencoder, 100 images, 2 epochs); `args()[0]` is jobs:.
private let sweepScript = """
  jobs = 1
  if len(args()) > 0 { jobs = num(args()[0]) }
  data = kmnist(sample: true)
  small = data.train.subset(per_class: 10)
  check = data.validation.subset(per_class: 10)
  fn trial(lr: 0.001, batch: 32, seed: 0) {
    ae = autoencoder([16, 4], seed: seed)
    t = trainer(ae, small, lr: lr, batch: batch, validation: check)
    return {history: t.fit(2, verbose: false), model: ae}
  }
  s = sweep(trial, {lr: [0.001, 0.01], batch: [25, 50]}, jobs: jobs)
  for r in s.rows {
    v = r.val_loss
    if v != none { v = round(v, 6) }
    print("row", r.lr, r.batch, v, r.epoch, r.parameters, r.status)
  }
  print("missing", s.missing)
  """

/// The `row …` lines a sweep script printed.
private func rows(_ output: String) -> [String] {
  output.split(separator: "\n").filter { $0.hasPrefix("row ") }.map(String.init)
}

/// A program on PATH (installed by scripts/setup.sh), or nil.
private func program(_ name: String) -> String? {
  for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
    let path = "\(folder)/\(name)"
    if FileManager.default.isExecutableFile(atPath: path) { return path }
  }
  return nil
}

/// Runs a program to completion; returns its exit status and standard output.
@discardableResult
private func runProgram(_ path: String, _ arguments: [String], environment: [String: String] = [:])
  throws -> (status: Int32, output: String)
{
  let process = Process()
  process.executableURL = URL(fileURLWithPath: path)
  process.arguments = arguments
  process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = FileHandle.nullDevice
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite("Experiments", .serialized)
struct ExperimentTests {
  @Test("jobs: 2 and GNU parallel give the same table as jobs: 1; a killed trial is missing")
  func sweepAcrossProcesses() throws {
    let script = try temporaryFile("sweep.kms", contents: sweepScript)
    let folder = script.deletingLastPathComponent()
    defer { try? FileManager.default.removeItem(at: folder) }
    let one = try runKMS([script.path, "1"])
    #expect(one.status == 0, "\(one.errors)")
    let expected = rows(one.output)
    #expect(expected.count == 4)
    #expect(expected.allSatisfy { $0.hasSuffix(" 2 26036 ok") }, "\(expected)")
    #expect(one.output.contains("missing []"))

    let two = try runKMS([script.path, "2"])
    #expect(two.status == 0, "\(two.errors)")
    #expect(rows(two.output) == expected)

    // The cluster path: list the trials, run them with GNU parallel, rebuild from the files.
    let results = folder.appendingPathComponent("results").path
    let listed = try runKMS([script.path, "1", "--trials", "--results", results])
    #expect(listed.status == 0, "\(listed.errors)")
    let commands = listed.output.split(separator: "\n").map(String.init)
    #expect(commands.count == 4)
    #expect(commands.first == "kms \(script.path) 1 --trial 0 --results \(results)")
    let parallel = try #require(program("parallel"), "GNU parallel is missing: run scripts/test.sh")
    let kmsFolder = try kmsExecutable().deletingLastPathComponent().path
    let path = kmsFolder + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "")
    let commandFile = folder.appendingPathComponent("trials.txt")
    try Data((commands.joined(separator: "\n") + "\n").utf8).write(to: commandFile)
    let ran = try runProgram(
      parallel, ["--will-cite", "-j", "2", "-a", commandFile.path], environment: ["PATH": path])
    #expect(ran.status == 0)
    let gathered = try runKMS([script.path, "1", "--results", results])
    #expect(gathered.status == 0, "\(gathered.errors)")
    #expect(rows(gathered.output) == expected)

    // A trial whose process is killed before it finishes leaves no result: it is missing.
    try FileManager.default.removeItem(atPath: results + "/trial-2.json")
    let worker = Process()
    worker.executableURL = try kmsExecutable()
    worker.arguments = [script.path, "1", "--trial", "2", "--results", results]
    worker.standardOutput = FileHandle.nullDevice
    worker.standardError = FileHandle.nullDevice
    try worker.run()
    // NOTE: killed within its start-up: a whole sample trial (load, train, write) takes only a
    // few tenths of a second, so a later kill could come after its result was written.
    Thread.sleep(forTimeInterval: 0.02)
    kill(worker.processIdentifier, SIGKILL)
    worker.waitUntilExit()
    let partial = try runKMS(
      ["-e", "s = gather(args()[0])\nprint(s.missing, len(s.rows))\nprint(s)", results])
    #expect(partial.status == 0, "\(partial.errors)")
    #expect(partial.output.hasPrefix("[2] 4\n"), "\(partial.output)")
    #expect(partial.output.contains("missing: trial 2"))
    let rerun = try runKMS([script.path, "1", "--results", results])
    let rerunRows = rows(rerun.output)
    #expect(rerunRows.count == 4)
    #expect(rerun.output.contains("missing [2]"))
    #expect(rerunRows.count == 4 && rerunRows[2].hasSuffix("missing"), "\(rerunRows)")
    #expect(rerunRows.count == 4 && rerunRows[3] == expected[3])

    // The Slurm job array script runs the same command per array task.
    let slurm = folder.appendingPathComponent("sweep.sbatch").path
    let written = try runKMS([script.path, "1", "--trials", "--results", results, "--slurm", slurm])
    #expect(written.status == 0)
    let text = try String(contentsOfFile: slurm, encoding: .utf8)
    #expect(text.contains("#SBATCH --array=0-3"))
    #expect(text.contains("--trial \"$SLURM_ARRAY_TASK_ID\" --results \(results)"))
  }

  @Test("narrow on a tiny trial: rounds printed, fewer trials than the grid, the metric named")
  func narrowInKMS() throws {
    let program = """
      data = kmnist(sample: true)
      small = data.train.subset(per_class: 5)
      fn trial(lr: 0.001) {
        ae = autoencoder([8, 2], seed: 1)
        t = trainer(ae, small, lr: lr, batch: 25, validation: data.validation.subset(per_class: 5))
        return t.fit(1, verbose: false)
      }
      n = narrow(trial, {lr: [0.0001, 0.1]}, scale: {lr: "log"}, resolution: {lr: 3})
      print("trials", len(n.trials), "grid", n.full_grid, "rounds", len(n.rounds), n.metric)
      print("best", n.best.lr)
      """
    let output = runProgram(program, name: "narrow.kms").output
    // 1e-4 … 0.1 by factors of at most 3: 7 steps, 8 grid values; rounds share points.
    let summary = try #require(output.split(separator: "\n").first { $0.hasPrefix("trials ") })
    let fields = summary.split(separator: " ")
    let trials = Int(fields[1])!, grid = Int(fields[3])!
    #expect(grid == 8)
    #expect(trials < grid && trials >= 3, "\(summary)")
    #expect(fields[6] == "val_loss")
    #expect(output.contains("round 1: lr [0.0001, 0.1]: 3 points, best lr="))
    #expect(output.contains("narrowing used val_loss (lowest is best): \(trials) trials instead of 8"))
  }

  @Test("narrow's keyword form: two arguments narrow jointly, an integer stays whole, the cost said")
  func narrowKeywords() throws {
    let program = """
      data = kmnist(sample: true)
      small = data.train.subset(per_class: 5)
      fn trial(lr: 0.001, batch: 20) {
        ae = autoencoder([8, 2], seed: 1)
        t = trainer(ae, small, lr: lr, batch: batch, validation: data.validation.subset(per_class: 5))
        return t.fit(1, verbose: false)
      }
      n = narrow(trial, lr: [0.0001, 0.1], batch: [10, 50], scale: {lr: "log"}, resolution: {lr: 4, batch: 10})
      print("trials", len(n.trials), "grid", n.full_grid)
      for r in n.rows { print("point", r.lr, r.batch) }
      old = narrow(trial, {batch: [10, 50]}, resolution: {batch: 20})
      print("record form", len(old.trials), old.full_grid)
      """
    let output = runProgram(program, name: "narrow.kms").output
    // lr: 1e-4 … 0.1 by factors of at most 4: 5 steps, 6 values; batch 10 … 50 by 10: 5 values.
    let summary = try #require(output.split(separator: "\n").first { $0.hasPrefix("trials ") })
    let fields = summary.split(separator: " ")
    let trials = Int(fields[1])!
    #expect(fields[3] == "30")
    #expect(trials < 30 && trials >= 9, "\(summary)")
    // Each round scores the 3 × 3 points of the joint grid.
    #expect(output.contains("round 1: lr [0.0001, 0.1] batch [10, 50]: 9 points, best lr="))
    #expect(output.contains("narrowing used val_loss (lowest is best): \(trials) trials instead of 30"))
    let points = output.split(separator: "\n").filter { $0.hasPrefix("point ") }
    #expect(points.count == trials)
    let batches = points.map { $0.split(separator: " ")[2] }
    #expect(batches.allSatisfy { Int($0) != nil }, "batch sizes stay whole: \(batches)")
    #expect(Set(batches).isSubset(of: ["10", "20", "30", "40", "50"]), "\(batches)")
    #expect(output.contains("record form 3 3"))

    // Misspelt keywords and ranges given twice are caught, with a hint.
    let typo = Interpreter { _ in }
    let compiled = typo.compile(
      SourceFile(name: "typo.kms", text: """
        fn trial(lr: 0.001) { return 1 }
        narrow(trial, lr: [0.001, 0.1], resolutoin: {lr: 2})
        """))
    let diagnostic = try #require(compiled.diagnostics.first)
    #expect(diagnostic.message.contains("bad argument 'resolutoin' to 'narrow'"))
    #expect(diagnostic.help == "did you mean 'resolution'?")
    var messages = ""
    let twice = Interpreter { messages += $0 }
    if case .failure(.runtime(let error)) = twice.run(
      SourceFile(name: "twice.kms", text: """
        fn trial(lr: 0.001) { return 1 }
        narrow(trial, {lr: [0.001, 0.1]}, lr: [0.001, 0.1])
        """))
    {
      #expect(error.message == "ranges given both as a record and as keywords (lr)")
    } else {
      Issue.record("ranges given twice ran: \(messages)")
    }
    // A misspelt keyword whose value looks like a range is caught when narrow runs.
    if case .failure(.runtime(let error)) = Interpreter { _ in }.run(
      SourceFile(name: "seeed.kms", text: """
        fn trial(lr: 0.001) { return 1 }
        narrow(trial, lr: [0.001, 0.1], seeed: [1, 2])
        """))
    {
      #expect(error.message == "'seeed' is neither a parameter of trial 'trial' nor a keyword of narrow")
      #expect(error.help == "did you mean 'seed'?")
    } else {
      Issue.record("a misspelt keyword ran")
    }
    let signature = Interpreter { _ in }.registry.builtin(named: "narrow")!.signature
    #expect(signature.hasSuffix("<range>: list of number...)"), "\(signature)")
  }

  @Test("a report and a notebook of a fixture script: cells, outputs, images, the error in place")
  func executedNotebook() throws {
    let script = try temporaryFile(
      "fixture.kms",
      contents: """
        # set up
        x = 2
        ## First heading
        # Some prose about `x`.
        print("x is", x)
        fn f(a) {
          ## not a split
          return a * 2
        }
        ## Figures
        data = kmnist(sample: true)
        show(images(data.test, per_class: 1))
        ## A value
        curves(trainer(autoencoder([8, 2], seed: 1), data.train.subset(per_class: 3), batch: 10).fit(1, verbose: false))
        ## Broken
        print("before", f(x))
        y = [1, 2][5]
        ## Never
        print("not run")
        """)
    let folder = script.deletingLastPathComponent()
    defer { try? FileManager.default.removeItem(at: folder) }
    let html = folder.appendingPathComponent("out/report.html").path
    let ipynb = folder.appendingPathComponent("out/notebook.ipynb").path
    let result = try runKMS([script.path, "--report", html, "--notebook", ipynb])
    #expect(result.status == 70, "the failing cell makes the run fail: \(result.errors)")

    let data = try Data(contentsOf: URL(fileURLWithPath: ipynb))
    let notebook = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(notebook["nbformat"] as? Int == 4)
    let cells = try #require(notebook["cells"] as? [[String: Any]])
    #expect(
      cells.map { $0["cell_type"] as! String } == [
        "code", "markdown", "code", "markdown", "code", "markdown", "code", "markdown", "code",
        "markdown", "code",
      ])
    #expect(cells[1]["source"] as? [String] == ["## First heading\n", "\n", "Some prose about `x`."])
    #expect((cells[2]["source"] as? [String])?.contains("  ## not a split\n") == true)
    func outputs(_ index: Int) -> [[String: Any]] { cells[index]["outputs"] as? [[String: Any]] ?? [] }
    #expect(outputs(2).first?["text"] as? [String] == ["x is 2\n"])
    var images = 0
    for index in [4, 6] {
      let image = try #require(outputs(index).first { $0["output_type"] as? String == "display_data" })
      let base64 = try #require((image["data"] as? [String: Any])?["image/png"] as? String)
      let canvas = try Canvas.decodePNG(Array(try #require(Data(base64Encoded: base64))))
      #expect(canvas.width > 100 && canvas.height > 50)
      images += 1
    }
    #expect(images == 2)
    let error = try #require(outputs(8).last)
    #expect(error["output_type"] as? String == "error")
    #expect((error["evalue"] as? String)?.contains("index 5 out of range") == true)
    #expect(outputs(8).first?["text"] as? [String] == ["before 4\n"])
    #expect(cells[10]["execution_count"] is NSNull)
    #expect(outputs(10).isEmpty)

    let page = try String(contentsOfFile: html, encoding: .utf8)
    #expect(page.contains("<h2>First heading</h2>"))
    #expect(page.contains("<span class=\"f\">print</span>"))
    #expect(page.contains("index 5 out of range"))
    let sources = page.components(separatedBy: "src=\"data:image/png;base64,").dropFirst()
    #expect(sources.count == 2)
    for source in sources {
      let base64 = String(source.prefix { $0 != "\"" })
      #expect(try Canvas.decodePNG(Array(Data(base64Encoded: base64)!)).width > 100)
    }
    try checkInBrowser(page: page, folder: folder)
  }

  /// Opens the report in headless Chromium: every image loads and a screenshot is not blank.
  private func checkInBrowser(page: String, folder: URL) throws {
    let chromium = try #require(
      program("chromium") ?? program("chromium-browser"), "chromium is missing: run scripts/test.sh")
    let profile = folder.appendingPathComponent("profile").path
    let common = [
      "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile)",
      "--virtual-time-budget=5000",
    ]
    // A copy with a probe that records, once loaded, how many images decoded.
    let probe = """
      <script>window.addEventListener("load", () => { const all = [...document.images];
      document.body.setAttribute("data-images", all.filter(i => i.complete && i.naturalWidth > 0).length + "/" + all.length); });</script>
      </body>
      """
    let probed = folder.appendingPathComponent("probed.html")
    try Data(page.replacingOccurrences(of: "</body>", with: probe).utf8).write(to: probed)
    let dom = try runProgram(chromium, common + ["--dump-dom", probed.absoluteString])
    #expect(dom.output.contains("data-images=\"2/2\""), "\(dom.output.prefix(300))")
    let report = folder.appendingPathComponent("shown.html")
    try Data(page.utf8).write(to: report)
    let shot = folder.appendingPathComponent("shot.png").path
    try runProgram(
      chromium, common + ["--screenshot=\(shot)", "--window-size=1000,1400", report.absoluteString])
    let canvas = try Canvas.readPNG(from: shot)
    var colours: Set<Color> = []
    var inked = 0
    for y in stride(from: 0, to: canvas.height, by: 4) {
      for x in stride(from: 0, to: canvas.width, by: 4) {
        guard let pixel = canvas.pixel(x: x, y: y) else { continue }
        colours.insert(pixel)
        if Int(pixel.r) + Int(pixel.g) + Int(pixel.b) < 600 { inked += 1 }
      }
    }
    #expect(colours.count > 20, "the screenshot has \(colours.count) colours")
    #expect(inked > 500, "the screenshot is nearly blank (\(inked) inked samples)")
  }
}
