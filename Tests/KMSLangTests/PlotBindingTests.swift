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
