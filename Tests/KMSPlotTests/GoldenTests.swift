import Foundation
import KMSPlot
import KMSTestSupport
import Testing

/// Each figure kind against a checked-in PNG, compared by decoded pixels. Inputs are small and
/// seeded so the PNGs stay small and stable. Regenerate on purpose with scripts/update-goldens.sh.
@Suite("Goldens")
struct GoldenTests {
  static let goldens = GoldenImages(
    bundle: .module,
    sourceFolder: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Goldens").path)

  static func cases() throws -> [(name: String, canvas: Canvas)] {
    let names = SampleData.classNames
    let samples = SampleData.images(count: 12)
    let codes2 = SampleData.codes(count: 200, dimension: 2)
    let codes8 = SampleData.codes(count: 200, dimension: 8)
    let roll = SampleData.swissRoll(count: 300)
    let history = SampleData.history(epochs: 24)
    let curves = try TrainingCurves(
      train: history.train, validation: history.validation,
      stoppingEpoch: history.best, title: "loss")
    let confusion = try ConfusionMatrixPlot(counts: SampleData.confusionCounts(), classNames: names)
    let scatter = try LatentScatter(
      codes: codes2.codes, labels: codes2.labels, classNames: names,
      prior: roll.points, limits: -4.5...4.5)
    return [
      (
        "image-grid",
        try ImageGrid(
          images: samples.images, labels: samples.labels, classNames: names,
          columns: 6, title: "samples"
        ).render()
      ),
      (
        "reconstruction-grid",
        try ReconstructionGrid(
          originals: samples.images, reconstructions: SampleData.blurred(samples.images), columns: 6
        ).render()
      ),
      ("latent-scatter", scatter.render()),
      (
        "latent-scatter-pca",
        try LatentScatter(
          codes: codes8.codes, labels: codes8.labels,
          classNames: names
        ).render()
      ),
      ("confusion-matrix", confusion.render()),
      (
        "confusion-matrix-normalized",
        try ConfusionMatrixPlot(
          counts: SampleData.confusionCounts(), classNames: names, normalized: true
        ).render()
      ),
      ("training-curves", curves.render()),
      (
        "training-curves-log",
        try TrainingCurves(
          train: history.train.map { $0 * $0 * 100 },
          validation: history.validation.map { $0 * $0 * 100 },
          metric: "squared error", stoppingEpoch: history.best, logScale: true
        ).render()
      ),
      (
        "prior-scatter",
        try PriorScatter(
          points: roll.points, labels: roll.labels, classNames: names,
          limits: -4.5...4.5
        ).render()
      ),
      ("panels", try Panels([curves, scatter, confusion]).render(width: 1200, height: 340)),
      ("training-curves@2x", curves.render(scale: 2)),
      // Added with the outline fonts: kana, column headings, untitled curves, log labels kept
      // apart, a legend pushed outside, the general plots, and the bitmap fallback.
      (
        "image-grid-kana",
        try ImageGrid(
          images: samples.images, labels: samples.labels, classNames: SampleData.kanaNames,
          columns: 6, title: "お き す つ な は ま や れ を"
        ).render()
      ),
      (
        "reconstruction-grid-classes",
        try ReconstructionGrid(
          originals: samples.images, reconstructions: SampleData.blurred(samples.images),
          labels: samples.labels, classNames: names, columns: 6
        ).render()
      ),
      (
        "training-curves-untitled",
        try TrainingCurves(
          train: history.train, validation: history.validation, stoppingEpoch: history.best
        ).render()
      ),
      (
        "training-curves-log-narrow",
        try TrainingCurves(
          train: history.train.map { $0 * 10 }, validation: history.validation.map { $0 * 10 },
          logScale: true
        ).render(width: 320, height: 200)
      ),
      (
        "chart-lines",
        try Chart.lines(
          [
            ([25, 50, 100, 175, 250], [0.80, 0.85, 0.88, 0.90, 0.91], "train", LineStyle("-o")!),
            ([25, 50, 100, 175, 250], [0.78, 0.82, 0.85, 0.86, 0.86], "test", LineStyle("--")!),
            ([25, 50, 100, 175, 250], [0.70, 0.75, 0.80, 0.86, 0.92], "wide", LineStyle(":")!),
          ], title: "accuracy by code width", xLabel: "code width", yLabel: "accuracy"
        ).render()
      ),
      (
        "chart-legend-outside",
        try Chart.lines(
          (0..<4).map { k in
            let xs = (0...40).map { Double($0) / 4 }
            return (xs, xs.map { sin($0 + Double(k)) }, "phase \(k)", LineStyle("-")!)
          }
        ).render()
      ),
      (
        "chart-histogram",
        try Chart.histogram(
          SampleData.codes(count: 400, dimension: 2).codes.map { Double($0[0]) }, bins: 20,
          title: "first code coordinate", xLabel: "z1"
        ).render()
      ),
      (
        "chart-bars",
        try Chart.bars(
          names, (0..<10).map { 0.8 + Double($0 % 4) * 0.04 }, title: "per-class accuracy",
          yLabel: "accuracy", size: (5, 3.5), dpi: 120
        ).render()
      ),
      ("confusion-matrix-bitmap-font", confusion.render(fonts: .bitmapOnly)),
    ]
  }

  @Test("every figure kind matches its golden image")
  func figuresMatchGoldens() throws {
    for (name, canvas) in try Self.cases() {
      Self.goldens.expectMatch(canvas, named: name)
    }
  }

  @Test(
    "a changed image is reported with its actual and diff files",
    .enabled(if: !GoldenImages.isUpdating))
  func mismatchIsReported() throws {
    let (name, canvas) = try Self.cases().first { $0.name == "training-curves" }!
    let golden = try Canvas.readPNG(
      from: Bundle.module.url(forResource: "Goldens", withExtension: nil)!
        .appendingPathComponent(name + ".png").path)
    canvas.fill(Rect(x: 0, y: 0, width: 20, height: 20), with: .black)
    let difference = compareImages(canvas, golden)
    #expect(difference.mismatchedPixels == 400)
    #expect(difference.maxChannelDifference == 255)
    #expect(difference.diffImage?.pixel(x: 5, y: 5) == Color(r: 255, g: 0, b: 0))
    #expect(difference.diffImage?.pixel(x: 30, y: 30) != Color(r: 255, g: 0, b: 0))
    #expect(compareImages(Canvas(width: 3, height: 3), golden).matches() == false)
    #expect(compareImages(golden, golden).matches())
  }
}
