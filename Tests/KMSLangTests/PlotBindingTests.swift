import Foundation
import KMSData
@testable import KMSNN
import KMSPlot
import KMSTensor
import Testing

@testable import KMSLang

/// The figure builtins end to end: kms programs that write every figure kind, read back with
/// libpng; bad input that must fail cleanly and leave no file.
@Suite("Plot bindings")
struct PlotBindingTests {
  /// A fresh empty folder for one test's files.
  static func temporaryFolder() throws -> String {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("kms-plot-binding-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder
  }

  /// Runs kms source; returns what it printed, or the runtime error that stopped it.
  static func run(
    _ source: String, arguments: [String] = [], prepare: (Interpreter) -> Void = { _ in }
  ) -> (output: String, error: RuntimeError?) {
    var output = ""
    let interpreter = Interpreter(scriptArguments: arguments) { output += $0 }
    prepare(interpreter)
    switch interpreter.run(SourceFile(name: "test.kms", text: source)) {
    case .success: return (output, nil)
    case .failure(.runtime(let error)): return (output, error)
    case .failure(.compile(let diagnostics)):
      Issue.record("does not compile: \(diagnostics.map(\.shortDescription))")
      return (output, nil)
    }
  }

  @Test("every figure kind writes a PNG that decodes at the figure's size")
  func everyFigureKind() throws {
    let folder = try Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    // Tiny models on a tiny subset, one or two epochs: seconds, not minutes.
    let program = """
      folder = args()[0]
      data = kmnist(sample: true)
      small = data.train.subset(per_class: 10)
      ae = autoencoder([16, 2], code: "linear", seed: 1)
      t = trainer(ae, small, lr: 0.003, batch: 25, validation: data.validation)
      h = t.fit(2, early_stop: true, patience: 1, verbose: false)
      codes = encode(ae.encoder, small)
      mlp = classifier(codes, hidden: [8], seed: 1)
      tc = trainer(mlp, codes, lr: 0.01, batch: 25)
      tc.step(verbose: false)
      figures = {
        images: images(data.test, per_class: 2),
        reconstructions: reconstructions(ae, data.test, count: 6),
        scatter: scatter(ae.encoder, small, limits: 4.5),
        confusion: confusion(mlp, codes),
        curves: curves(h)
      }
      figures["panels"] = panels([figures.scatter, figures.curves, figures.confusion], title: "three")
      for name in keys(figures) {
        fig = figures[name]
        path = png(fig, folder + "/" + name + ".png")
        print(name, fig.kind, fig.width, fig.height, path == folder + "/" + name + ".png")
      }
      print("double", png(figures.curves, folder + "/double.png", scale: 2) != none)
      """
    let (output, error) = Self.run(program, arguments: [folder])
    #expect(error == nil, "\(error?.message ?? "")")
    let lines = output.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("note:") }
    let kinds = [
      "images": "image grid", "reconstructions": "reconstructions", "scatter": "latent scatter",
      "confusion": "confusion matrix", "curves": "training curves", "panels": "panels",
    ]
    #expect(lines.count == kinds.count + 1, "\(lines)")
    for line in lines.dropLast() {
      // "name kind words… width height true"
      let words = line.split(separator: " ").map(String.init)
      let name = words[0]
      let (width, height) = (Int(words[words.count - 3])!, Int(words[words.count - 2])!)
      #expect(words.last == "true", "png returns the path it was given: \(line)")
      #expect(words[1..<(words.count - 3)].joined(separator: " ") == kinds[name], "\(line)")
      let path = folder + "/" + name + ".png"
      let info = try Canvas.readPNGInfo(from: path)
      #expect(
        info.width == width && info.height == height, "\(name): \(info) vs \(width)×\(height)")
      #expect(info.colorType == 6, "\(name) is RGBA")
      let canvas = try Canvas.readPNG(from: path)
      #expect(canvas.pixel(x: 1, y: 1) == .white, "\(name): white background")
      // Something was drawn: some pixel is far from white.
      let bytes = canvas.rgbaBytes
      let dark = stride(from: 0, to: bytes.count, by: 4).contains {
        Int(bytes[$0]) + Int(bytes[$0 + 1]) < 200
      }
      #expect(dark, "\(name) has ink")
    }
    #expect(lines.last == "double true")
    let double = try Canvas.readPNGInfo(from: folder + "/double.png")
    #expect(double.width == 1280 && double.height == 960)
    // Atomic writes leave no temporary files next to the figures.
    let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    #expect(files == (kinds.keys.map { $0 + ".png" } + ["double.png"]).sorted())
  }

  @Test("samples/figures.kms compiles against the current builtins")
  func figuresSampleCompiles() throws {
    // The sample trains for ~20 s in release; here it only has to resolve (names, argument counts).
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .deletingLastPathComponent()
    let path = root.appendingPathComponent("samples/figures.kms").path
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let compilation = Interpreter().compile(SourceFile(name: path, text: text))
    #expect(compilation.diagnostics.isEmpty, "\(compilation.diagnostics.map(\.shortDescription))")
    for name in ["images", "reconstructions", "scatter", "confusion", "curves", "panels", "png"] {
      #expect(text.contains(name + "("), "figures.kms makes no \(name)")
    }
  }

  @Test("plot, hist and bar draw lists, several series, records and tables, with their options")
  func generalPlots() throws {
    let folder = try Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let program = """
      folder = args()[0]
      widths = [25, 50, 100]
      a = plot(widths, [[0.8, 0.85, 0.88], [0.7, 0.8, 0.9]], label: ["train", "test"], style: ["-o", "--"], title: "t", xlabel: "width", ylabel: "accuracy", ylim: [0, 1])
      print(a.kind, a.width, a.height)
      results = [{width: 25, mse: 0.03}, {width: 50, mse: 0.02}, {width: 100, mse: none}]
      b = plot(results, x: "width", y: ["mse"], log: true, size: [4, 3], dpi: 150)
      print(b.kind, b.width, b.height)
      c = plot(table(results), x: "width", y: "mse")
      d = plot([0.3, 0.2, 0.15])
      e = hist([1, 2, 2, 3, 3, 3], bins: 3, xlim: [0, 4])
      print(e.kind, e.width)
      f = bar(["o", "ki"], [0.9, 0.8], ylabel: "accuracy")
      print(f.kind, f.height)
      png(a, folder + "/a.png")
      png(b, folder + "/b.png")
      svg(f, folder + "/f.svg")
      png(e, folder + "/e.svg")
      a.svg(folder + "/a.svg")
      """
    let (output, error) = Self.run(program, arguments: [folder])
    #expect(error == nil, "\(error?.message ?? "")")
    let lines = output.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("note:") }
    #expect(lines == ["line plot 640 480", "line plot 600 450", "histogram 640", "bar chart 480"])
    #expect(try Canvas.readPNGInfo(from: folder + "/b.png").width == 600)
    for name in ["f", "e", "a"] {
      let text = try String(contentsOfFile: folder + "/\(name).svg", encoding: .utf8)
      #expect(text.hasPrefix("<?xml") && text.hasSuffix("</svg>\n"), "\(name)")
    }
    let bars = try String(contentsOfFile: folder + "/f.svg", encoding: .utf8)
    #expect(bars.contains(">accuracy</text>") && bars.contains(">ki</text>"))
  }

  @Test("bad general-plot arguments are kms errors with a hint")
  func generalPlotErrors() {
    let cases: [(String, String)] = [
      ("plot([1, 2], [1])", "series 0 has 2 xs but 1 ys"),
      ("plot([1, 2], [1, 2], style: \"-x\")", "unknown style '-x'"),
      ("plot([{a: 1}], x: \"a\", y: \"b\")", "record 0 has no field 'b'"),
      ("plot([{a: 1}], y: \"a\")", "plotting records needs x: and y:"),
      ("plot([1, \"two\"])", "ys must be a list of numbers, element 1 is a string"),
      ("plot([1, 2], [1, 2], label: [\"a\", \"b\"])", "label has 2 entries for 1 series"),
      ("plot([1, 2], ylim: [2, 1])", "ylim must be [low, high] with low < high"),
      ("plot([1, 2], size: [100, 1])", "size must be [width, height] in inches"),
      ("plot([1, 2], dpi: 10)", "dpi must be 50 to 600"),
      ("plot([-1, 0], log: true)", "some positive values"),
      ("hist([], bins: 3)", "at least one finite value"),
      ("hist([1, 2], bins: 0)", "bins must be"),
      ("bar([\"a\"], [1, 2])", "bar has 1 labels but 2 values"),
      ("images(kmnist(sample: true).test, labels: \"greek\")", "unknown labels 'greek'"),
    ]
    for (source, expected) in cases {
      let (_, error) = Self.run(source)
      #expect(error?.message.contains(expected) == true, "\(source): \(error?.message ?? "no error")")
    }
  }

  @Test("labels: kana and both name the classes in hiragana, everywhere classes are named")
  func kanaLabels() throws {
    try #require(FontLibrary.shared.hasKana)
    let folder = try Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let program = """
      data = kmnist(sample: true)
      svg(images(data.test, per_class: 1, labels: "kana"), args()[0] + "/kana.svg")
      svg(images(data.test, per_class: 1, labels: "both"), args()[0] + "/both.svg")
      svg(scatter(prior("swiss_roll", count: 200), labels: "kana"), args()[0] + "/scatter.svg")
      """
    let (_, error) = Self.run(program, arguments: [folder])
    #expect(error == nil, "\(error?.message ?? "")")
    let kana = try String(contentsOfFile: folder + "/kana.svg", encoding: .utf8)
    #expect(kana.contains(">お</text>") && kana.contains(">を</text>") && !kana.contains(">wo</text>"))
    let both = try String(contentsOfFile: folder + "/both.svg", encoding: .utf8)
    #expect(both.contains(">お o</text>"))
    let scatter = try String(contentsOfFile: folder + "/scatter.svg", encoding: .utf8)
    #expect(scatter.contains(">つ</text>"))
  }

  @Test("png creates missing folders")
  func createsFolders() throws {
    let folder = try Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path = folder + "/a/b/fig.png"
    let (_, error) = Self.run("png(scatter([[0, 1], [1, 0]]), args()[0])", arguments: [path])
    #expect(error == nil)
    #expect(try Canvas.readPNGInfo(from: path).width == 640)
  }

  @Test("an unwritable path is a clear error and leaves no file")
  func unwritablePath() throws {
    let folder = try Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    // A regular file where a folder should be: fails even for root.
    let blocker = folder + "/not-a-folder"
    #expect(FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8)))
    for path in [blocker + "/fig.png", blocker + "/deeper/fig.png", folder] {
      let (_, error) = Self.run(
        "fig = scatter([[0, 1], [1, 0]])\nfig.png(args()[0])", arguments: [path])
      let caught = try #require(error, "writing \(path) must fail")
      #expect(caught.message.hasPrefix("cannot write PNG '\(path)'"), "\(caught.message)")
      #expect(caught.help != nil)
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["not-a-folder"])
    #expect(try String(contentsOfFile: blocker, encoding: .utf8) == "x")
  }

  @Test("show writes a temporary PNG and prints its path when stdout shows no images")
  func showFallback() throws {
    let (output, error) = Self.run("show(scatter([[0, 1], [1, 0]]))")
    #expect(error == nil)
    if output.hasPrefix("\u{1B}") {
      // The test runs on a terminal that advertises an image protocol: an inline image it is.
      #expect(output.hasSuffix("\n"))
    } else {
      let prefix = "figure written to "
      #expect(output.hasPrefix(prefix) && output.hasSuffix(".png\n"), "\(output)")
      let path = String(output.dropFirst(prefix.count).dropLast())
      defer { try? FileManager.default.removeItem(atPath: path) }
      #expect(try Canvas.readPNGInfo(from: path).width == 640)
    }
  }

  @Test("a NaN in a history leaves a gap and a note; an all-NaN history is an error")
  func nanHistory() throws {
    func history(_ losses: [Double]) -> HistoryObject {
      var history = History()
      history.records = losses.enumerated().map {
        EpochRecord(
          epoch: $0.offset + 1, trainLoss: $0.element, trainAccuracy: nil,
          validationLoss: $0.element / 2,
          validationAccuracy: nil, seconds: 1)
      }
      return HistoryObject(history, metric: "loss")
    }
    let partly = Self.run("print(curves(h).kind)") {
      $0.setGlobal("h", to: .host(history([0.5, 0.3, .nan, .nan])))
    }
    #expect(partly.error == nil)
    #expect(
      partly.output == """
        note: the train loss is not finite at epochs 3, 4; the curve has a gap there
        note: the validation loss is not finite at epochs 3, 4; the curve has a gap there
        training curves

        """)
    let all = Self.run("curves(h)") { $0.setGlobal("h", to: .host(history([.nan, .infinity]))) }
    let error = try #require(all.error)
    #expect(error.message == "training history has a non-finite value (NaN or infinity) at index 0")
    #expect(error.help == PlotError.nonFiniteValue(what: "", index: 0).hint)
    let logAxis = Self.run("curves(h, log: true)") {
      $0.setGlobal("h", to: .host(history([0, -1])))
    }
    #expect(
      logAxis.error?.message.contains("log axis") == true, "\(logAxis.error?.message ?? "no error")"
    )
  }

  @Test("zero classes or no examples is an error, not a crash")
  func zeroClasses() throws {
    let empty = Dataset(
      name: "empty", provenance: "nothing", features: Tensor(shape: [0, 2]), labels: [],
      classNames: [])
    let scatter = Self.run("scatter(codes)") {
      $0.setGlobal("codes", to: .host(DatasetObject(empty)))
    }
    #expect(scatter.error?.message == "'empty' has no classes (at least one class expected)")
    let images = Self.run("images(codes)") {
      $0.setGlobal("codes", to: .host(DatasetObject(empty)))
    }
    #expect(images.error?.message == "'empty' has no classes (at least one class expected)")
    let matrix = EvaluationObject(
      confusion: ConfusionMatrix(counts: []), classNames: [], loss: 0, provenance: "none")
    let confusion = Self.run("confusion(e)") { $0.setGlobal("e", to: .host(matrix)) }
    #expect(confusion.error?.message == PlotError.noClasses.message)
    let zeros = EvaluationObject(
      confusion: ConfusionMatrix(counts: [[0, 0], [0, 0]]), classNames: ["a", "b"], loss: 0,
      provenance: "none")
    let counted = Self.run("confusion(e)") { $0.setGlobal("e", to: .host(zeros)) }
    #expect(counted.error?.message == "the confusion matrix counts no examples")
  }

  @Test("an encoder's NaN codes fail in the library's check, not with a crash")
  func nanCodes() throws {
    let codes = Tensor(shape: [3, 2], scalars: [0, 1, .nan, 2, 3, 4])
    let dataset = Dataset(
      name: "nan-codes", provenance: "test", features: codes, labels: [0, 1, 1],
      classNames: ["a", "b"])
    let (_, error) = Self.run("scatter(codes)") {
      $0.setGlobal("codes", to: .host(DatasetObject(dataset)))
    }
    #expect(error?.message == "latent codes has a non-finite value (NaN or infinity) at index 1")
  }
}
