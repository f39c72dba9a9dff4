import Foundation
import KMSPlot
import Testing

@Suite("samples/paper.kms")
struct PaperScriptTests {
  /// Every figure paper.kms writes: the paper's Figs. 1 and 5-22, named after them.
  static let figures = [
    "fig01-kmnist-samples", "fig05-sae-width", "fig06-sae-lr-low", "fig07-sae-lr-high",
    "fig08-sae-lr-mid", "fig09-sae-early-stopping", "fig10-reconstructions", "fig11-mlp-width",
    "fig12-mlp-lr-low", "fig13-mlp-lr-high", "fig14-mlp-lr-mid", "fig15-mlp-early-stopping",
    "fig16-csd-lr0.001", "fig17-csd", "fig18-one-hot-confusion", "fig19-discriminator",
    "fig20-csd-discriminator", "fig21-itl-mlp-accuracy", "fig22-confusion-matrices",
  ]

  @Test("paper.kms quick runs the whole paper on the sample: every figure, the comparison table")
  func quickRun() throws {
    let folder = try temporaryFile("paper").deletingLastPathComponent()
      .appendingPathComponent("paper-figures")
    try? FileManager.default.removeItem(at: folder)
    let (status, text) = try runSample("paper.kms", arguments: [folder.path, "quick"])
    #expect(status == 0, "\(text)")
    #expect(text.contains("the paper on the sample protocol, quick ranges"))
    for name in PaperScriptTests.figures {
      let path = folder.appendingPathComponent(name + ".png").path
      let canvas = try? Canvas.readPNG(from: path)
      #expect(canvas != nil, "\(name).png missing or not a decodable PNG")
      if let canvas { #expect(canvas.width >= 300 && canvas.height >= 200, "\(name): \(canvas.width)×\(canvas.height)") }
    }
    // Part A's four narrowings each say what they cost and which metric decided.
    #expect(text.components(separatedBy: "narrowing used val_loss (lowest is best)").count == 3)
    #expect(text.components(separatedBy: "narrowing used val_accuracy (highest is best)").count == 3)
    #expect(text.contains("round 2 (final): width "), "the width narrowing takes two rounds")
    // The comparison: the printed table, its Markdown form and its CSV, a row per model.
    let models = ["CNN conv32-conv112-pool-dense288", "MLP 784-448-448-10", "SAE codes + MLP", "ITL codes + MLP"]
    let lines = text.split(separator: "\n").map(String.init)
    let header = try #require(lines.firstIndex { $0.hasPrefix("model ") && $0.contains("test accuracy") })
    for (offset, model) in models.enumerated() {
      #expect(lines[header + 2 + offset].hasPrefix(model) && lines[header + 2 + offset].hasSuffix("sample"))
      #expect(lines.contains { $0.hasPrefix("| \(model) | ") })
    }
    #expect(lines.contains { $0.hasPrefix("MLP 784-448-448-10 ") && $0.contains("557322") })
    #expect(lines.contains { $0.hasPrefix("CNN conv32") && $0.contains("4680730") })
    #expect(lines.contains { $0.hasPrefix("SAE codes + MLP ") && $0.contains("2125019") })
    let csv = try String(contentsOf: folder.appendingPathComponent("comparison.csv"), encoding: .utf8)
    #expect(csv.split(separator: "\n").count == 5)
    #expect(text.contains("one-hot code: latent accuracy raw"))
  }
}
