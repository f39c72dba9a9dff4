import Foundation
import KMSPlot
import Testing

/// One of each figure kind, built from `SampleData`; shared by the gallery and golden tests.
enum Gallery {
  static func figures() throws -> [(name: String, figure: any Figure)] {
    let samples = SampleData.images(count: 20)
    let codes2 = SampleData.codes(count: 1000, dimension: 2)
    let codes10 = SampleData.codes(count: 1000, dimension: 10)
    let roll = SampleData.swissRoll(count: 1000)
    let history = SampleData.history(epochs: 30)
    let names = SampleData.classNames
    let grid = try ImageGrid(
      images: samples.images, labels: samples.labels, classNames: names,
      title: "samples per class")
    let reconstructions = try ReconstructionGrid(
      originals: Array(samples.images.prefix(10)),
      reconstructions: SampleData.blurred(Array(samples.images.prefix(10))),
      title: "reconstructions")
    let scatter = try LatentScatter(
      codes: codes2.codes, labels: codes2.labels, classNames: names,
      prior: roll.points, limits: -4.5...4.5, title: "codes with prior")
    let pca = try LatentScatter(codes: codes10.codes, labels: codes10.labels, classNames: names)
    let confusion = try ConfusionMatrixPlot(counts: SampleData.confusionCounts(), classNames: names)
    let normalized = try ConfusionMatrixPlot(
      counts: SampleData.confusionCounts(), classNames: names,
      normalized: true, title: "row-normalised")
    let curves = try TrainingCurves(
      train: history.train, validation: history.validation,
      metric: "loss", stoppingEpoch: history.best, title: "SAE loss")
    let logCurves = try TrainingCurves(
      train: history.train, validation: history.validation,
      stoppingEpoch: history.best, logScale: true)
    let prior = try PriorScatter(
      points: roll.points, labels: roll.labels, classNames: names,
      limits: -4.5...4.5, title: "swiss-roll prior")
    let panels = try Panels([curves, scatter, confusion])
    return [
      ("image-grid", grid), ("reconstruction-grid", reconstructions), ("latent-scatter", scatter),
      ("latent-scatter-pca", pca), ("confusion-matrix", confusion),
      ("confusion-matrix-normalized", normalized), ("training-curves", curves),
      ("training-curves-log", logCurves), ("prior-scatter", prior), ("panels", panels),
    ]
  }
}

@Suite("Gallery")
struct GalleryTests {
  @Test("every figure kind writes a PNG that decodes to its preferred size")
  func writesEveryKind() throws {
    let folder =
      ProcessInfo.processInfo.environment["KMS_PLOT_GALLERY"]
      ?? FileManager.default.temporaryDirectory.appendingPathComponent(
        "kms-plot-gallery-\(getpid())"
      ).path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for (name, figure) in try Gallery.figures() {
      let path = folder + "/" + name + ".png"
      try figure.writePNG(to: path)
      let info = try Canvas.readPNGInfo(from: path)
      #expect(info.width == figure.preferredSize.width, "\(name)")
      #expect(info.height == figure.preferredSize.height, "\(name)")
      #expect(info.colorType == 6, "\(name)")
    }
  }
}
