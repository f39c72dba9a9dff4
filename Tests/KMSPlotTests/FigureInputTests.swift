@testable import KMSPlot
import Testing

/// Bad input gets a clear thrown error, never a crash.
@Suite("Figure input")
struct FigureInputTests {
  let names = SampleData.classNames

  @Test("an empty training history is an error naming the history")
  func emptyHistory() {
    #expect(throws: PlotError.emptyInput(what: "training history")) {
      try TrainingCurves(train: [])
    }
    let message = PlotError.emptyInput(what: "training history").description
    #expect(message.hasPrefix("training history is empty"))
  }

  @Test("NaN losses are skipped as gaps, and a history with no finite value is an error")
  func nanHistory() throws {
    let curves = try TrainingCurves(
      train: [1, 0.5, .nan, 0.3, .infinity, 0.2],
      validation: [1.1, .nan, 0.6, 0.5, 0.45, 0.5], stoppingEpoch: 2)
    let canvas = curves.render()
    #expect(canvas.width == 640)
    #expect(throws: PlotError.nonFiniteValue(what: "training history", index: 0)) {
      try TrainingCurves(train: [.nan, .nan])
    }
    #expect(throws: PlotError.nonFiniteValue(what: "validation history", index: 0)) {
      try TrainingCurves(train: [1, 2], validation: [.nan, .infinity])
    }
  }

  @Test("a log axis skips non-positive values and rejects a series with none positive")
  func logHistory() throws {
    _ = try TrainingCurves(train: [1, 0, 0.1, -1, 0.01], logScale: true).render()
    #expect(throws: PlotError.self) { try TrainingCurves(train: [0, -1], logScale: true) }
  }

  @Test("mismatched history lengths and a stopping epoch out of range are errors")
  func historyShape() {
    #expect(
      throws: PlotError.mismatchedCounts(
        what: "validation history length (one value per epoch)", expected: 3, actual: 2)
    ) {
      try TrainingCurves(train: [1, 2, 3], validation: [1, 2])
    }
    #expect(throws: PlotError.self) { try TrainingCurves(train: [1, 2, 3], stoppingEpoch: 0) }
    #expect(throws: PlotError.self) { try TrainingCurves(train: [1, 2, 3], stoppingEpoch: 4) }
  }

  @Test("1-D codes are an error that says two dimensions are needed")
  func oneDimensionalCodes() {
    #expect(throws: PlotError.codeDimensionTooSmall(dimension: 1)) {
      try LatentScatter(codes: [[0.5], [1.5]], labels: [0, 1])
    }
    #expect(throws: PlotError.codeDimensionTooSmall(dimension: 1)) {
      try LatentScatter(flatCodes: [1, 2, 3], dimension: 1)
    }
    #expect(
      PlotError.codeDimensionTooSmall(dimension: 1).message
        == "latent codes have 1 dimension (2 or more expected)")
  }

  @Test("NaN codes are an error naming the code, not silently dropped")
  func nanCodes() {
    #expect(throws: PlotError.nonFiniteValue(what: "latent codes", index: 1)) {
      try LatentScatter(codes: [[0, 0], [.nan, 1]], labels: [0, 0], classNames: names)
    }
  }

  @Test("zero classes are an error for every class-labelled figure")
  func zeroClasses() {
    #expect(throws: PlotError.noClasses) { try ConfusionMatrixPlot(counts: []) }
    #expect(throws: PlotError.noClasses) {
      try ConfusionMatrixPlot(trueLabels: [0], predictedLabels: [0], classNames: [])
    }
    #expect(throws: PlotError.noClasses) {
      try LatentScatter(codes: [[0, 0]], labels: [0], classNames: [])
    }
    #expect(throws: PlotError.noClasses) {
      try ImageGrid(images: [[0, 0, 0, 0]], labels: [0], classNames: [])
    }
  }

  @Test("labels outside the classes and mismatched counts are errors")
  func labels() {
    #expect(throws: PlotError.labelOutOfRange(what: "labels", label: 10, index: 1, classCount: 10))
    {
      try LatentScatter(codes: [[0, 0], [1, 1]], labels: [0, 10], classNames: names)
    }
    #expect(
      throws: PlotError.mismatchedCounts(what: "label count (one per code)", expected: 2, actual: 1)
    ) {
      try LatentScatter(codes: [[0, 0], [1, 1]], labels: [0], classNames: names)
    }
    #expect(throws: PlotError.self) {
      try ConfusionMatrixPlot(trueLabels: [0, 1], predictedLabels: [0], classNames: names)
    }
    #expect(throws: PlotError.self) {
      try ConfusionMatrixPlot(trueLabels: [0, -1], predictedLabels: [0, 0], classNames: names)
    }
  }

  @Test("ragged codes, prior of another dimension, and bad limits are errors")
  func codeShapes() {
    #expect(throws: PlotError.self) { try LatentScatter(codes: [[0, 0], [1, 1, 1]]) }
    #expect(throws: PlotError.self) { try LatentScatter(codes: [[0, 0]], prior: [[1, 1, 1]]) }
    #expect(throws: PlotError.self) { try LatentScatter(codes: [[0, 0]], limits: 1...1) }
    #expect(throws: PlotError.self) { try LatentScatter(flatCodes: [1, 2, 3], dimension: 2) }
    #expect(throws: PlotError.emptyInput(what: "latent codes")) { try LatentScatter(codes: []) }
  }

  @Test("confusion matrices must be square with non-negative counts and some samples")
  func confusionShape() {
    #expect(throws: PlotError.self) { try ConfusionMatrixPlot(counts: [[1, 2], [3]]) }
    #expect(throws: PlotError.self) { try ConfusionMatrixPlot(counts: [[1, -2], [3, 4]]) }
    #expect(throws: PlotError.self) { try ConfusionMatrixPlot(counts: [[0, 0], [0, 0]]) }
    #expect(throws: PlotError.self) {
      try ConfusionMatrixPlot(counts: [[1, 0], [0, 1]], classNames: ["a"])
    }
  }

  @Test("image lists must be non-empty, equal-sized, finite, and square or given a width")
  func imageShapes() {
    #expect(throws: PlotError.emptyInput(what: "images")) { try ImageGrid(images: []) }
    #expect(throws: PlotError.self) { try ImageGrid(images: [[0, 0, 0, 0], [0, 0, 0]]) }
    #expect(throws: PlotError.self) { try ImageGrid(images: [[0, 0, 0]]) }
    #expect(throws: PlotError.self) { try ImageGrid(images: [[0, .nan, 0, 0]]) }
    #expect(throws: PlotError.self) {
      try ImageGrid(images: [[0, 0, 0, 0]], captions: ["a", "b"])
    }
    #expect(throws: PlotError.self) {
      try ReconstructionGrid(originals: [[0, 0, 0, 0]], reconstructions: [])
    }
    #expect(throws: PlotError.self) {
      try ReconstructionGrid(
        originals: [[0, 0, 0, 0]], reconstructions: [[0, 0, 0, 0, 0, 0, 0, 0, 0]])
    }
    #expect(throws: Never.self) { try ImageGrid(images: [[0, 0, 0, 0, 0, 0]], imageWidth: 3) }
  }

  @Test("panels need at least one figure")
  func emptyPanels() {
    #expect(throws: PlotError.emptyInput(what: "panel figures")) { try Panels([]) }
  }

  @Test("every error message is lowercase, without a final period, and has a hint")
  func messages() {
    let errors: [PlotError] = [
      .emptyInput(what: "training history"), .nonFiniteValue(what: "latent codes", index: 3),
      .mismatchedCounts(what: "label count", expected: 2, actual: 1),
      .codeDimensionTooSmall(dimension: 1), .noClasses,
      .labelOutOfRange(what: "labels", label: 11, index: 0, classCount: 10),
      .invalidArgument(name: "columns", expected: "at least 1", actual: "0"),
      .unwritablePath(path: "/x.png", reason: "permission denied"),
      .encodingFailed(reason: "too large"), .unreadablePNG(path: "/x.png", reason: "not a png"),
    ]
    for error in errors {
      #expect(error.message.first!.isLowercase, "\(error.message)")
      #expect(!error.message.hasSuffix("."), "\(error.message)")
      #expect(error.hint?.isEmpty == false)
    }
  }
}

/// Inputs that are valid but extreme still render, without hanging or spilling.
@Suite("Extreme input")
struct ExtremeInputTests {
  @Test("a 40-class confusion matrix renders, leaving out counts that do not fit their cells")
  func manyClasses() throws {
    let k = 40
    let counts = (0..<k).map { t in (0..<k).map { p in t == p ? 1000 : (t + p) % 7 } }
    let figure = try ConfusionMatrixPlot(counts: counts)
    let canvas = figure.render()
    #expect(canvas.width == 640)
    // No "1000" squeezed into a 9-pixel cell: the diagonal cells hold only their colour.
    let (axes, _) = figure.layout(width: 640, height: 480, style: PlotStyle())
    let cell = axes.frame.width / Double(k)
    let x0 = Int(axes.frame.x.rounded()), y0 = Int(axes.frame.y.rounded())
    var colors = Set<Color>()
    for y in y0..<(y0 + Int(cell) - 1) {
      for x in x0..<(x0 + Int(cell) - 1) { colors.insert(canvas.pixel(x: x, y: y)!) }
    }
    #expect(colors == [Color(hex: 0xFDE725)])
  }

  @Test("a scatter with 30 classes renders without a legend that cannot fit")
  func manyScatterClasses() throws {
    let codes = (0..<300).map { [Float($0 % 30), Float($0 / 30)] }
    let canvas = try LatentScatter(codes: codes, labels: (0..<300).map { $0 % 30 }).render()
    #expect(canvas.height == 480)
  }

  @Test("huge and tiny values render without hanging")
  func hugeValues() throws {
    _ = try TrainingCurves(train: [Float.greatestFiniteMagnitude, -Float.greatestFiniteMagnitude])
      .render()
    _ = try TrainingCurves(train: [1e-30, 1e30], logScale: true).render()
    _ = try LatentScatter(codes: [[0, 0], [0, 0]]).render()
    _ = try LatentScatter(codes: [[1, 2, 3], [1, 2, 3]]).render()
  }
}
