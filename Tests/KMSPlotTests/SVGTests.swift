import Foundation
import KMSPlot
import KMSTestSupport
import Testing

/// SVG output: the same drawing as the PNG, with text kept as text, checked in a real renderer.
@Suite("SVG")
struct SVGTests {
  static func curves() throws -> TrainingCurves {
    let history = SampleData.history(epochs: 24)
    return try TrainingCurves(
      train: history.train, validation: history.validation, stoppingEpoch: history.best,
      title: "loss")
  }

  @Test("a best epoch that ended no run early is marked as the best epoch, not an early stop")
  func bestEpochWithoutStop() throws {
    let history = SampleData.history(epochs: 24)
    let curves = try TrainingCurves(
      train: history.train, validation: history.validation, stoppingEpoch: history.best,
      stoppedEarly: false, title: "loss")
    let document = try curves.svgDocument()
    #expect(document.contains(">best epoch 15</text>"))
    #expect(!document.contains("early stop"))
  }

  @Test("text stays text, shapes are vector elements, images are embedded")
  func structure() throws {
    let document = try Self.curves().svgDocument()
    #expect(document.hasPrefix("<?xml"))
    #expect(document.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\""))
    #expect(document.contains(">early stop (epoch 15)</text>"))
    #expect(document.contains(">validation</text>"))
    #expect(document.contains("transform=\"rotate(-90"))  // the y label
    #expect(document.contains("<polyline"))
    let samples = SampleData.images(count: 4)
    let grid = try ImageGrid(
      images: samples.images, labels: samples.labels, classNames: SampleData.kanaNames)
    let images = grid.svgDocument()
    #expect(images.components(separatedBy: "<image ").count - 1 == 4)
    #expect(images.contains("data:image/png;base64,"))
    #expect(images.contains(">お</text>") || images.contains(">" + SampleData.kanaNames[samples.labels[0]] + "</text>"))
  }

  @Test("rsvg-convert renders the SVG like the PNG")
  func rendersLikeThePNG() throws {
    let rsvg = "/usr/bin/rsvg-convert"
    try #require(
      FileManager.default.isExecutableFile(atPath: rsvg),
      "rsvg-convert is missing: scripts/setup.sh installs Debian's librsvg2-bin")
    let folder = try makeTemporaryFolder("svg")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let samples = SampleData.images(count: 6)
    let figures: [(String, any Figure)] = [
      ("curves", try Self.curves()),
      (
        "confusion",
        try ConfusionMatrixPlot(
          counts: SampleData.confusionCounts(), classNames: SampleData.classNames)
      ),
      (
        "images",
        try ImageGrid(
          images: samples.images, labels: samples.labels, classNames: SampleData.classNames)
      ),
    ]
    for (name, figure) in figures {
      try figure.writeSVG(to: folder + "/\(name).svg")
      let process = Process()
      process.executableURL = URL(fileURLWithPath: rsvg)
      process.arguments = ["-o", folder + "/\(name).png", folder + "/\(name).svg"]
      try process.run()
      process.waitUntilExit()
      #expect(process.terminationStatus == 0, "\(name)")
      let rendered = try Canvas.readPNG(from: folder + "/\(name).png")
      let raster = figure.render()
      // Text is set by another engine (Pango) and shapes are anti-aliased differently, so a few
      // edge pixels differ; the layout must not: at most 2 % of pixels may be far apart.
      let difference = compareImages(rendered, raster, tolerance: 64)
      #expect(difference.size != nil, "\(name)")
      let fraction = Double(difference.mismatchedPixels) / Double(raster.width * raster.height)
      #expect(fraction < 0.02, "\(name): \(difference.mismatchedPixels) pixels differ")
    }
  }
}
