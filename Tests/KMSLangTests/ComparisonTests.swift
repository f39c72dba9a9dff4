import Foundation
@testable import KMSPlot
import Testing

@testable import KMSLang

/// Runs kms code in this process; returns the interpreter (for its variables) and the output.
/// The figure a kms variable holds.
private func figure(_ interpreter: Interpreter, _ name: String) throws -> any KMSPlot.Figure {
  guard case .host(let object as FigureObject)? = interpreter.global(name) else {
    throw KMSTestFailure("'\(name)' is not a figure")
  }
  return object.figure
}

private struct KMSTestFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

@Suite("compare and curves(sweep)")
struct ComparisonTests {
  @Test("compare: the table, .markdown(), .csv(path) and confusion(c) on one colour scale")
  func comparison() throws {
    let folder = try temporaryFile("comparison").deletingLastPathComponent()
    defer { try? FileManager.default.removeItem(at: folder) }
    let csv = folder.appendingPathComponent("out/comparison.csv").path
    let (interpreter, output) = runProgram(
      """
      data = kmnist(sample: true)
      small = data.train.subset(per_class: 10)
      a = classifier(784, hidden: [16], seed: 1)
      ha = trainer(a, small, lr: 0.01, batch: 20).fit(2, verbose: false)
      b = classifier(784, hidden: [8], seed: 2)
      tb = trainer(b, small, lr: 0.001, batch: 20)
      tb.fit(1, verbose: false)
      c = compare([{name: "wide", model: a, data: data.test, seconds: ha},
                   {name: "narrow | piped", model: b, data: data.test, seconds: [tb, 1.5], parameters: 99}])
      print(c)
      print("accuracies", evaluate(a, data.test).accuracy, evaluate(b, data.test).accuracy)
      print("seconds", ha.seconds, tb.history.seconds + 1.5)
      print("rows", c.rows[0].name, c.rows[1].parameters, c.rows[0].data)
      print(c.markdown())
      print("csv", c.csv("\(csv)"))
      fig = confusion(c, normalized: true)
      counts = confusion(c)
      """)
    let lines = output.split(separator: "\n").map(String.init)
    let accuracies = try #require(lines.first { $0.hasPrefix("accuracies ") }).split(separator: " ")
      .dropFirst().map { Double($0)! }
    let seconds = try #require(lines.first { $0.hasPrefix("seconds ") }).split(separator: " ")
      .dropFirst().map { Double($0)! }
    // The printed table: a header with the paper's columns, one row per model, in order.
    let header = try #require(lines.first { $0.contains("test accuracy") })
    for column in ["model", "test accuracy", "training s", "parameters", "data"] {
      #expect(header.contains(column))
    }
    let wide = try #require(lines.first { $0.hasPrefix("wide ") })
    #expect(wide.contains("12730") && wide.contains("sample"), "\(wide)")
    #expect(lines.contains { $0.hasPrefix("narrow | piped ") && $0.contains(" 99 ") })
    #expect(output.contains("rows wide 99 sample"))

    // Markdown: the paper's columns, accuracy in percent, grouped counts, pipes escaped.
    let markdown = lines.filter { $0.hasPrefix("|") }
    #expect(markdown.count == 4)
    #expect(markdown[0] == "| model | test accuracy | training time | trainable parameters | data |")
    #expect(markdown[1] == "|---|---:|---:|---:|---|")
    #expect(
      markdown[2]
        == "| wide | \(String(format: "%.2f %%", accuracies[0] * 100)) | "
        + "\(String(format: "%.1f s", seconds[0])) | 12,730 | sample |")
    #expect(markdown[3].hasPrefix("| narrow \\| piped | \(String(format: "%.2f %%", accuracies[1] * 100)) | "))
    #expect(markdown[3].contains("| \(String(format: "%.1f s", seconds[1])) | 99 |"))

    // CSV: written (folders created), returned path, full precision.
    #expect(output.contains("csv \(csv)"))
    let text = try String(contentsOfFile: csv, encoding: .utf8)
    let rows = text.split(separator: "\n").map(String.init)
    #expect(rows.count == 3)
    #expect(rows[0] == "model,test accuracy,training s,parameters,data")
    #expect(rows[1].hasPrefix("wide,\(Value.format(accuracies[0])),"))
    #expect(rows[2].hasPrefix("narrow | piped,"))

    // Fig. 22: the matrices side by side, one colour scale covering every matrix.
    for (name, normalized) in [("fig", true), ("counts", false)] {
      let panels = try #require(try figure(interpreter, name) as? Panels)
      let plots = panels.figures.compactMap { $0 as? ConfusionMatrixPlot }
      #expect(plots.count == 2 && panels.columns == 2)
      #expect(plots.map(\.title) == ["wide", "narrow | piped"])
      #expect(plots.allSatisfy { $0.isNormalized == normalized })
      let limits = try #require(plots[0].colorLimits)
      #expect(plots[1].colorLimits == limits)
      let values = plots.flatMap { $0.values.joined() }
      #expect(limits.lowerBound <= values.min()! && limits.upperBound >= values.max()!)
      #expect(values.contains(limits.upperBound), "the scale ends at the largest value shown")
      let canvas = try Canvas.decodePNG(try panels.render(scale: 1).pngData())
      #expect(canvas.width > canvas.height, "side by side: \(canvas.width)×\(canvas.height)")
    }
  }

  @Test("curves(sweep): one panel per trial that finished, on a decodable PNG")
  func sweepCurves() throws {
    let folder = try temporaryFile("curves").deletingLastPathComponent()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("sweep-curves.png").path
    let (interpreter, output) = runProgram(
      """
      data = kmnist(sample: true)
      small = data.train.subset(per_class: 5)
      fn trial(lr: 0.001, batch: 25) {
        ae = autoencoder([8, 2], seed: 1)
        t = trainer(ae, small, lr: lr, batch: batch, validation: data.validation.subset(per_class: 5))
        return t.fit(2, verbose: false)
      }
      s = sweep(trial, {lr: [0.001, 0.01], batch: [25, 50]})
      fig = curves(s, title: "per trial")
      png(fig, "\(path)")
      broken = sweep(trial, {lr: [0.01, -1]})
      print("failed", broken.failed)
      partial = curves(broken)
      """)
    #expect(output.contains("failed [5]"), "trials are numbered across the script's sweeps")
    #expect(output.contains("trial 1/2 (#4)  lr=0.01  val_loss "), "\(output)")
    let panels = try #require(try figure(interpreter, "fig") as? Panels)
    let charts = panels.figures.compactMap { $0 as? TrainingCurves }
    #expect(charts.count == 4 && panels.figures.count == 4)
    // A 2 × 2 grid: one row per learning rate, one column per batch size.
    #expect(panels.columns == 2)
    #expect(charts.map(\.title) == ["lr=0.001 batch=25", "lr=0.001 batch=50", "lr=0.01 batch=25", "lr=0.01 batch=50"])
    #expect(charts.allSatisfy { $0.train.count == 2 && $0.validation?.count == 2 })
    let canvas = try Canvas.readPNG(from: path)
    let expected = panels.render(scale: 1)
    #expect(canvas.width == expected.width && canvas.height == expected.height)
    #expect(canvas.width > 600 && canvas.height > 400)
    let partial = try #require(try figure(interpreter, "partial") as? Panels)
    #expect(partial.figures.count == 1, "the failed trial has no panel")
  }
}
