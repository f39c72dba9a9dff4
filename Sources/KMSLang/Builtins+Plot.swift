import Foundation
import KMSData
import KMSNN
import KMSPlot
import KMSTensor

// Figure bindings: every figure kind of KMSPlot is one call that returns a `figure` value, and
// `png(fig, path)` / `show(fig)` put it on disk or on screen. Each builtin checks its arguments
// here, at the call's range, so the library only ever sees well-formed input; a `PlotError` that
// still comes back (NaN pixels, an unwritable path) becomes a kms error carrying its hint.

/// A figure in kms: an image grid, reconstructions, a latent scatter, a confusion matrix,
/// training curves, or panels of those.
public final class FigureObject: HostObject {
  /// The library figure.
  public let figure: any KMSPlot.Figure
  /// What kind of figure this is, e.g. `confusion matrix`.
  public let kind: String

  /// Wraps a figure.
  /// - Parameters:
  ///   - figure: the library figure.
  ///   - kind: its kind as kms prints it.
  public init(_ figure: any KMSPlot.Figure, kind: String) {
    self.figure = figure
    self.kind = kind
  }

  /// Width in pixels at scale 1.
  public var width: Int { figure.preferredSize.width }
  /// Height in pixels at scale 1.
  public var height: Int { figure.preferredSize.height }

  /// `confusion matrix 640×480`.
  public var summary: String { "\(kind) \(width)×\(height)" }

  /// The kms type `figure`.
  public static let hostType = HostType(
    name: "figure",
    summary: "a picture made by images, reconstructions, scatter, confusion, curves or panels",
    attributes: [
      .attribute(
        "kind", of: FigureObject.self, summary: "image grid, reconstructions, latent scatter, …"
      ) {
        .string($0.kind)
      },
      .attribute("width", of: FigureObject.self, type: .integer, summary: "width in pixels at scale 1") {
        .number(Double($0.width))
      },
      .attribute("height", of: FigureObject.self, type: .integer, summary: "height in pixels at scale 1") {
        .number(Double($0.height))
      },
    ],
    methods: [
      .method(
        "png", of: FigureObject.self, returns: .string,
        parameters: [.required("path", .string), .keyword("scale", .integer, default: .number(1))],
        summary:
          "writes the figure as a PNG (SVG for a path ending in .svg), atomically; returns the path",
        example: "fig.png(\"figures/recon.png\")"
      ) { object, arguments in try writePNG(object, arguments) },
      .method(
        "svg", of: FigureObject.self, returns: .string,
        parameters: [.required("path", .string), .keyword("scale", .integer, default: .number(1))],
        summary: "writes the figure as SVG (text stays text), atomically; returns the path",
        example: "fig.svg(\"figures/recon.svg\")"
      ) { object, arguments in try writePNG(object, arguments, asSVG: true) },
      .method(
        "show", of: FigureObject.self,
        parameters: [.keyword("scale", .integer, default: .number(1))],
        summary:
          "shows the figure in the terminal if it can, else writes a temporary PNG and prints its path",
        example: "fig.show()"
      ) { object, arguments in try show(object, arguments) },
    ])
}

/// Runs a plot-layer call through `libraryCall` (its errors become kms errors at the call). The
/// first figure call of a session also says, once, when text falls back to the bitmap font.
func plotCall<T>(_ arguments: Arguments, _ body: () throws -> T) throws -> T {
  if let notice = FontLibrary.shared.notice, FontNotices.shared.first("fonts") {
    arguments.write("note: \(notice)\n")
  }
  return try libraryCall(arguments, body)
}

/// Notes that are said once per process (the font fallbacks).
final class FontNotices: @unchecked Sendable {
  static let shared = FontNotices()
  private let lock = NSLock()
  private var said: Set<String> = []

  /// True the first time `key` is asked for, false after.
  func first(_ key: String) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    return said.insert(key).inserted
  }
}

// MARK: - Class labels

/// The KMNIST classes in hiragana, by their romanized names.
let kanaByRomaji: [String: String] = [
  "o": "お", "ki": "き", "su": "す", "tsu": "つ", "na": "な", "ha": "は", "ma": "ま", "ya": "や",
  "re": "れ", "wo": "を",
]

extension Arguments {
  /// Class names as the `labels:` argument asks: "romaji" (as stored), "kana" (お き す …) or
  /// "both" ("お o"). Names that are not KMNIST classes stay as they are. For a figure
  /// (`forFigure`), without a Japanese font the names stay romaji, and kms says so once; text
  /// (a printed table) needs no font.
  func classLabels(_ names: [String], forFigure: Bool = true) throws(RuntimeError) -> [String] {
    let style = try string("labels")
    guard ["romaji", "kana", "both"].contains(style) else {
      throw error(
        "unknown labels '\(style)'", help: "use \"romaji\", \"kana\" or \"both\"")
    }
    if style == "romaji" { return names }
    if forFigure, let notice = FontLibrary.shared.kanaNotice {
      if FontNotices.shared.first("kana") { write("note: \(notice)\n") }
      return names
    }
    return names.map { name in
      guard let kana = kanaByRomaji[name] else { return name }
      return style == "kana" ? kana : "\(kana) \(name)"
    }
  }
}

// MARK: - Writing and showing

/// `png(fig, path, scale:)` and `fig.png(path, scale:)`: creates missing folders, then writes
/// atomically (the library renders to a temporary file and renames it), so a failure leaves no
/// file at `path`. A path ending in `.svg` writes the figure as SVG instead.
func writePNG(_ object: FigureObject, _ arguments: Arguments, asSVG: Bool = false) throws -> Value {
  let given = try arguments.string("path")
  let scale = try arguments.integer("scale", atLeast: 1)
  try arguments.require("scale", scale <= 4, "at most 4")
  guard !given.isEmpty else {
    throw arguments.error("path must not be empty", help: "e.g. png(fig, \"fig.png\")")
  }
  let path = (given as NSString).expandingTildeInPath
  let isSVG = asSVG || path.lowercased().hasSuffix(".svg")
  let format = isSVG ? "SVG" : "PNG"
  var isDirectory: ObjCBool = false
  if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue
  {
    throw arguments.error(
      "cannot write \(format) '\(given)': it is a folder",
      help: "give a file name, e.g. \"\(given)/figure.png\"")
  }
  let folder = (path as NSString).deletingLastPathComponent
  if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw arguments.error(
        "cannot write \(format) '\(given)': cannot create the folder '\(folder)'",
        help: "check that the path is writable and that no part of it is a file")
    }
  }
  if isSVG {
    try plotCall(arguments) { try object.figure.writeSVG(to: path, scale: scale) }
  } else {
    try plotCall(arguments) { try object.figure.writePNG(to: path, scale: scale) }
  }
  return .string(given)
}

/// `show(fig)`: hands the figure to the interpreter's display (inline in a terminal that
/// advertises an image protocol, else a temporary PNG whose path is printed; captured by a
/// notebook).
private func show(_ object: FigureObject, _ arguments: Arguments) throws -> Value {
  let scale = try arguments.integer("scale", atLeast: 1)
  try arguments.require("scale", scale <= 4, "at most 4")
  try plotCall(arguments) { try arguments.display.show(object.figure, scale: scale) }
  return .none
}

// MARK: - Choosing examples

/// `count` distinct random rows of `0..<rowCount` (seeded, so the same call picks the same images).
private func randomRows(_ count: Int, of rowCount: Int, seed: UInt64) -> [Int] {
  var rng = RandomSource(seed: seed)
  var rows = Array(0..<rowCount)
  rng.shuffle(&rows)
  return Array(rows.prefix(count))
}

/// One row of a dataset's features as an array.
private func row(_ tensor: Tensor, _ index: Int) -> [Float] {
  let width = tensor.shape[1]
  return Array(UnsafeBufferPointer(start: tensor.data + index * width, count: width))
}

extension Arguments {
  /// A dataset argument that must hold images with at least one example.
  fileprivate func imageDataset(_ name: String) throws(RuntimeError) -> Dataset {
    let dataset = try host(name, as: DatasetObject.self).dataset
    try requireExamples(dataset)
    guard dataset.hasImageShape else {
      throw error(
        "'\(dataset.name)' holds \(dataset.featureCount)-D codes, not images",
        help:
          "show codes with scatter(\(name == "dataset" ? "codes" : name)), or pass the images they came from"
      )
    }
    return dataset
  }

  /// Throws unless the dataset has classes and examples.
  func requireExamples(_ dataset: Dataset) throws(RuntimeError) {
    guard dataset.classCount > 0 else {
      throw error(
        "'\(dataset.name)' has no classes (at least one class expected)",
        help: PlotError.noClasses.hint)
    }
    guard dataset.count > 0 else {
      throw error("'\(dataset.name)' has no examples (at least one expected)")
    }
  }

  /// An optional title argument.
  fileprivate func title() throws(RuntimeError) -> String? {
    if case .none = self["title"] { return nil }
    return try string("title")
  }

  /// An optional `columns` argument (≥ 1).
  fileprivate func columns() throws(RuntimeError) -> Int? {
    if case .none = self["columns"] { return nil }
    return try integer("columns", atLeast: 1)
  }

  /// Points given as a dataset (its features) or a list of lists of numbers, all one length.
  fileprivate func points(_ name: String) throws(RuntimeError) -> [[Float]] {
    if case .host(let object) = self[name], let dataset = (object as? DatasetObject)?.dataset {
      return (0..<dataset.count).map { row(dataset.features, $0) }
    }
    let list = try self.list(name)
    var points: [[Float]] = []
    for (index, element) in list.elements.enumerated() {
      guard case .list(let point) = element else {
        throw error(
          "\(name) must be a list of points (lists of numbers), element \(index) is a \(element.typeName)",
          help: "e.g. [[0, 1], [1.5, -2]], or a dataset of codes")
      }
      var coordinates: [Float] = []
      for coordinate in point.elements {
        guard case .number(let value) = coordinate else {
          throw error(
            "\(name) must be a list of points (lists of numbers), point \(index) holds a \(coordinate.typeName)"
          )
        }
        coordinates.append(Float(value))
      }
      if let first = points.first, first.count != coordinates.count {
        throw error(
          "\(name) points must all have one dimension: point 0 has \(first.count), point \(index) has \(coordinates.count)"
        )
      }
      points.append(coordinates)
    }
    return points
  }
}

// MARK: - The figure builtins

/// `images(dataset, per_class:, count:, seed:, columns:, title:)`: samples per class (one column
/// per class, so each column is one class) or `count` random images, captioned by class name.
private func imagesFigure(_ arguments: Arguments) throws -> Value {
  let dataset = try arguments.imageDataset("dataset")
  if arguments.isGiven("per_class") && arguments.isGiven("count") {
    throw arguments.error(
      "give per_class or count, not both",
      help: "per_class: 3 shows three of each class; count: 20 shows twenty at random")
  }
  let perClass = try arguments.integer("per_class", atLeast: 1)
  try arguments.require("per_class", perClass <= 20, "at most 20")
  let seed = try arguments.optionalSeed("seed")
  let title = try arguments.title() ?? dataset.name
  var chosen: [Int]
  var columns = try arguments.columns()
  if case .none = arguments["count"] {
    let byClass = dataset.indicesByClass.enumerated().filter { !$0.element.isEmpty }
    if let (label, members) = byClass.first(where: { $0.element.count < perClass }) {
      throw arguments.error(
        "per_class \(perClass) needs \(perClass) images of each class, but class \(label) "
          + "(\(dataset.classNames[label])) has \(members.count) in '\(dataset.name)'",
        help: "ask for at most \(members.count) per class")
    }
    let picks = dataset.classPicks(perClass: perClass, seed: seed).map(\.rows)
    // Row r holds the r-th pick of every class, so each column is one class.
    chosen = (0..<perClass).flatMap { r in picks.map { $0[r] } }
    columns = columns ?? picks.count
  } else {
    let count = try arguments.integer("count", atLeast: 1)
    try arguments.require("count", count <= 400, "at most 400")
    guard count <= dataset.count else {
      throw arguments.error(
        "count \(count) is more than the \(dataset.count) images in '\(dataset.name)'",
        help: "ask for at most \(dataset.count)")
    }
    chosen = randomRows(count, of: dataset.count, seed: seed ?? 0)
  }
  let figure = try plotCall(arguments) {
    try ImageGrid(
      images: chosen.map { row(dataset.features, $0) },
      labels: chosen.map { Int(dataset.labels[$0]) },
      classNames: try arguments.classLabels(dataset.classNames), imageWidth: dataset.imageWidth,
      columns: columns, title: title
    )
  }
  return .host(FigureObject(figure, kind: "image grid"))
}

/// `reconstructions(model, dataset, count:, per_class:, seed:, columns:, title:)`: originals
/// above the whole autoencoder's reconstructions (the paper's Fig. 10).
private func reconstructionsFigure(_ arguments: Arguments) throws -> Value {
  let model = try arguments.host("model", as: ModelObject.self)
  guard model.isWhole, model.hasCode else {
    throw arguments.error(
      "reconstructions need a whole autoencoder, got the \(model.title)",
      help: model.hasCode ? "pass the autoencoder itself: reconstructions(ae, data.test)" : nil)
  }
  let dataset = try arguments.imageDataset("dataset")
  try model.checkFeatures(of: dataset, arguments)
  let count = try arguments.integer("count", atLeast: 1)
  try arguments.require("count", count <= 100, "at most 100")
  guard count <= dataset.count else {
    throw arguments.error(
      "count \(count) is more than the \(dataset.count) images in '\(dataset.name)'",
      help: "ask for at most \(dataset.count)")
  }
  let seed = UInt64(try arguments.integer("seed", atLeast: 0))
  var chosen: [Int]
  if try arguments.boolean("per_class") {
    // Round-robin over the classes, each class's images in a seeded random order.
    var rng = RandomSource(seed: seed)
    var queues = dataset.indicesByClass.filter { !$0.isEmpty }.map { members in
      var members = members
      rng.shuffle(&members)
      return members[...]
    }
    chosen = []
    while chosen.count < count {
      for index in queues.indices where chosen.count < count {
        if let next = queues[index].popFirst() { chosen.append(next) }
      }
    }
  } else {
    chosen = randomRows(count, of: dataset.count, seed: seed)
  }
  let inputs = Tensor(shape: [chosen.count, dataset.featureCount])
  dataset.features.gatherRows(chosen, into: inputs)
  let outputs = model.predict(inputs)
  let title = try arguments.title() ?? "reconstructions by \(model.title)"
  let columns = try arguments.columns()
  let figure = try plotCall(arguments) {
    try ReconstructionGrid(
      originals: (0..<chosen.count).map { row(inputs, $0) },
      reconstructions: (0..<chosen.count).map { row(outputs, $0) },
      labels: chosen.map { Int(dataset.labels[$0]) },
      classNames: try arguments.classLabels(dataset.classNames),
      imageWidth: dataset.imageWidth, columns: columns, title: title)
  }
  return .host(FigureObject(figure, kind: "reconstructions"))
}

/// `scatter(source, dataset, prior:, limits:, title:)`: codes coloured by class. The source is an
/// encoder (run over `dataset`), a dataset of codes, or a list of points.
private func scatterFigure(_ arguments: Arguments) throws -> Value {
  var codes: [[Float]]
  var labels: [Int]?
  var classNames: [String]?
  var defaultTitle: String?
  let source = arguments["source"]
  if case .host(let object) = source, let model = object as? ModelObject {
    let isEncoder = model.isEncoder
    guard isEncoder else {
      throw arguments.error(
        "scatter needs an encoder to make codes, got the \(model.title)",
        help:
          "pass the autoencoder's encoder: scatter(ae.encoder, data.test), or codes: scatter(codes.test)"
      )
    }
    guard case .host = arguments["dataset"] else {
      throw arguments.error(
        "scatter(encoder, dataset) needs the dataset to encode",
        help: "e.g. scatter(ae.encoder, data.test)")
    }
    let dataset = try arguments.dataset("dataset", for: model)
    try arguments.requireExamples(dataset)
    let dimension = model.outputSize
    guard dimension >= 2 else {
      let problem = PlotError.codeDimensionTooSmall(dimension: dimension)
      throw arguments.error(problem.message, help: problem.hint)
    }
    let encoded = model.predict(dataset.features)
    codes = (0..<dataset.count).map { row(encoded, $0) }
    labels = dataset.labels.map(Int.init)
    classNames = dataset.classNames
    defaultTitle = "codes of \(dataset.name)"
  } else {
    if case .host = arguments["dataset"] {
      throw arguments.error(
        "a second dataset only goes with an encoder",
        help: "scatter(codes.test) for codes, scatter(ae.encoder, data.test) for images")
    }
    if case .host(let object) = source, let dataset = (object as? DatasetObject)?.dataset {
      try arguments.requireExamples(dataset)
      labels = dataset.labels.map(Int.init)
      classNames = dataset.classNames
      defaultTitle = dataset.name
    }
    codes = try arguments.points("source")
    guard !codes.isEmpty else {
      throw arguments.error("source has no points (at least one expected)")
    }
  }
  if let dimension = codes.first?.count, dimension < 2 {
    let problem = PlotError.codeDimensionTooSmall(dimension: dimension)
    throw arguments.error(problem.message, help: problem.hint)
  }
  var prior: [[Float]]?
  if case .none = arguments["prior"] {
  } else {
    let points = try arguments.points("prior")
    if let dimension = points.first?.count, let codeDimension = codes.first?.count,
      dimension != codeDimension
    {
      throw arguments.error(
        "the prior's points have \(dimension) dimension\(dimension == 1 ? "" : "s") but the codes have \(codeDimension)",
        help: "sample the prior in the code's dimension")
    }
    prior = points
  }
  var limits: ClosedRange<Double>?
  switch arguments["limits"] {
  case .none: break
  case .number(let bound):
    try arguments.require("limits", bound > 0 && bound.isFinite, "> 0 (4.5 means −4.5 to 4.5)")
    limits = -bound...bound
  default:
    let bounds = try arguments.numbers("limits")
    guard bounds.count == 2, bounds.allSatisfy(\.isFinite), bounds[0] < bounds[1] else {
      throw arguments.error(
        "limits must be a number L (for −L to L) or [low, high] with low < high, got \(arguments["limits"].repr)"
      )
    }
    limits = bounds[0]...bounds[1]
  }
  let title = try arguments.title() ?? defaultTitle
  let figure = try plotCall(arguments) {
    try LatentScatter(
      codes: codes, labels: labels, classNames: try classNames.map { try arguments.classLabels($0) },
      prior: prior, limits: limits, title: title)
  }
  return .host(FigureObject(figure, kind: "latent scatter"))
}

/// `confusion(evaluation, normalized:, title:)` or `confusion(classifier, dataset, …)`.
private func confusionFigure(_ arguments: Arguments) throws -> Value {
  if case .host(let object) = arguments["source"], let comparison = object as? ComparisonObject {
    // The paper's Fig. 22: every model's matrix side by side on one colour scale.
    let normalized = try arguments.boolean("normalized")
    let figure = try plotCall(arguments) {
      try comparison.confusionPanels(normalized: normalized) { try arguments.classLabels($0) }
    }
    return .host(FigureObject(figure, kind: "confusion matrices"))
  }
  var counts: [[Int]]
  var classNames: [String]
  if case .host(let object) = arguments["source"], let model = object as? ModelObject {
    guard model.isWhole, let classCount = model.model.classCount else {
      throw arguments.error(
        "confusion needs a classifier, got the \(model.title)",
        help: "e.g. confusion(mlp, codes.test), or confusion(evaluate(mlp, codes.test))")
    }
    guard case .host = arguments["dataset"] else {
      throw arguments.error(
        "confusion(classifier, dataset) needs the dataset to classify",
        help: "e.g. confusion(mlp, codes.test)")
    }
    let dataset = try arguments.dataset("dataset", for: model)
    try arguments.requireExamples(dataset)
    try model.checkClasses(of: dataset, arguments)
    let predicted = argmaxRows(model.predict(dataset.features))
    counts = ConfusionMatrix(predicted: predicted, labels: dataset.labels, classCount: classCount).counts
    classNames = dataset.classNames + (dataset.classCount..<classCount).map(String.init)
  } else {
    if case .host = arguments["dataset"] {
      throw arguments.error(
        "a dataset only goes with a classifier",
        help: "confusion(evaluation) or confusion(mlp, codes.test)")
    }
    let evaluation = try arguments.host("source", as: EvaluationObject.self)
    counts = evaluation.confusion.counts
    classNames =
      evaluation.classNames.count == counts.count
      ? evaluation.classNames : counts.indices.map(String.init)
  }
  guard !counts.isEmpty else {
    throw arguments.error(PlotError.noClasses.message, help: PlotError.noClasses.hint)
  }
  guard counts.joined().contains(where: { $0 > 0 }) else {
    throw arguments.error(
      "the confusion matrix counts no examples", help: "evaluate on a dataset with examples")
  }
  let normalized = try arguments.boolean("normalized")
  let title = try arguments.title()
  let figure = try plotCall(arguments) {
    try ConfusionMatrixPlot(
      counts: counts, classNames: try arguments.classLabels(classNames), normalized: normalized,
      title: title)
  }
  return .host(FigureObject(figure, kind: "confusion matrix"))
}

/// `curves(history, metric:, log:, grid:, title:)`: training and validation values per epoch, the
/// early-stopping epoch (the one whose weights were kept) marked with an arrow.
private func curvesFigure(_ arguments: Arguments) throws -> Value {
  if case .host(let object) = arguments["history"], let sweep = object as? SweepObject {
    return try sweepCurves(sweep, arguments)
  }
  let history: History
  var metric: String
  if case .host(let object) = arguments["history"], let trainer = object as? TrainerObject {
    history = trainer.trainer.history
    metric = trainer.trainer.objective.reportsAccuracy ? "accuracy" : "loss"
  } else {
    let object = try arguments.host("history", as: HistoryObject.self)
    history = object.history
    metric = object.metric
  }
  if case .string(let chosen) = arguments["metric"] {
    guard historyMetricNames.contains(chosen) else {
      throw arguments.error("unknown metric '\(chosen)'",
                            help: "use " + historyMetricNames.map { "\"\($0)\"" }.joined(separator: ", "))
    }
    metric = chosen
  }
  guard !history.records.isEmpty else {
    throw arguments.error("the history has no epochs yet", help: "train first, e.g. h = t.fit(10)")
  }
  let (train, validation) = historySeries(history, metric: metric)!
  guard train.allSatisfy({ $0 != nil }) else {
    throw arguments.error(
      metric == "accuracy" ? "this history has no accuracy (an autoencoder's has only loss)"
        : "this history has no \(metric) (only Part B's prior penalties record it)",
      help: "use metric: \"loss\"")
  }
  let trainValues = train.map { Float($0!) }
  let validationValues = validation.allSatisfy { $0 != nil } ? validation.map { Float($0!) } : nil
  let logScale = try arguments.boolean("log")
  // The library leaves a gap where a value cannot be drawn (a diverged run's NaN); say so.
  for (name, values) in [("train", trainValues), ("validation", validationValues ?? [])] {
    let skipped = values.indices.filter { !values[$0].isFinite || (logScale && values[$0] <= 0) }
    if !skipped.isEmpty && skipped.count < values.count {
      let epochs =
        skipped.prefix(5).map { String($0 + 1) }.joined(separator: ", ")
        + (skipped.count > 5 ? ", …" : "")
      let why =
        skipped.allSatisfy { !values[$0].isFinite } ? "not finite" : "not drawable on a log axis"
      arguments.write(
        "note: the \(name) \(metric) is \(why) at epoch\(skipped.count == 1 ? "" : "s") \(epochs); the curve has a gap there\n"
      )
    }
  }
  let grid = try arguments.boolean("grid")
  let title = try arguments.title()
  let figure = try plotCall(arguments) {
    try TrainingCurves(
      train: trainValues, validation: validationValues, metric: metric,
      stoppingEpoch: history.bestEpoch, stoppedEarly: history.stoppedEpoch != nil,
      logScale: logScale, grid: grid, title: title)
  }
  return .host(FigureObject(figure, kind: "training curves"))
}

/// `curves(sweep)`: one small chart per trial that finished (the first repeat of each grid
/// point), titled by its arguments, on a grid (the paper's Figs. 5–8 and 11–14).
private func sweepCurves(_ sweep: SweepObject, _ arguments: Arguments) throws -> Value {
  let metric = sweep.metric.hasSuffix("accuracy") ? "accuracy" : "loss"
  let logScale = try arguments.boolean("log")
  let grid = try arguments.boolean("grid")
  var charts: [any KMSPlot.Figure] = []
  for point in sweep.points {
    guard let trial = point.finished.first, let history = trial.history else { continue }
    let records = history.records
    let train = records.map { Float(metric == "loss" ? $0.trainLoss : $0.trainAccuracy ?? .nan) }
    let validation = records.map { Float((metric == "loss" ? $0.validationLoss : $0.validationAccuracy) ?? .nan) }
    let chart = try plotCall(arguments) {
      try TrainingCurves(
        train: train, validation: validation.allSatisfy(\.isFinite) ? validation : nil,
        metric: metric, stoppingEpoch: history.bestEpoch,
        stoppedEarly: history.stoppedEpoch != nil, logScale: logScale, grid: grid,
        title: trial.label)
    }
    charts.append(chart)
  }
  guard !charts.isEmpty else {
    throw arguments.error("no trial of the sweep finished", help: "print(s) lists missing and failed trials")
  }
  let columns = min(charts.count, sweep.names.count == 2 ? Set(sweep.points.map { $0.arguments[1].value.repr }).count : 3)
  let title = try arguments.title()
  let figure = try plotCall(arguments) { try Panels(charts, columns: max(1, columns), title: title) }
  return .host(FigureObject(figure, kind: "training curves per trial"))
}

/// `panels(figures…, columns:, title:)`: figures side by side, given one by one or as a list.
private func panelsFigure(_ arguments: Arguments) throws -> Value {
  var given = arguments.variadic("figures")
  if given.count == 1, case .list(let list) = given[0] { given = list.elements }
  var figures: [any KMSPlot.Figure] = []
  for (index, value) in given.enumerated() {
    guard case .host(let object) = value, let figure = object as? FigureObject else {
      throw arguments.error(
        "panels takes figures, but element \(index) is a \(value.typeName)",
        help: "e.g. panels([images(data.test), curves(h)])")
    }
    figures.append(figure.figure)
  }
  guard !figures.isEmpty else {
    throw arguments.error(
      "panels needs at least one figure", help: "e.g. panels([fig1, fig2, fig3])")
  }
  let columns = try arguments.columns()
  let title = try arguments.title()
  let figure = try plotCall(arguments) { try Panels(figures, columns: columns, title: title) }
  return .host(FigureObject(figure, kind: "panels"))
}

extension BuiltinRegistry {
  /// Registers the figure builtins and the `figure` host type.
  public func registerPlot() {
    register(FigureObject.hostType)
    let title = KMSLang.Parameter.keyword("title", .optional(.string), default: .none)
    let columns = KMSLang.Parameter.keyword("columns", .optional(.integer), default: .none)
    let labels = KMSLang.Parameter.keyword("labels", .string, default: .string("romaji"))
    register(
      Builtin(
        "images", returns: .host("figure"),
        parameters: [
          .required("dataset", .host("dataset")),
          .keyword("per_class", .integer, default: .number(1)),
          .keyword("count", .optional(.integer), default: .none),
          .keyword("seed", .optional(.integer), default: .none),
          columns, title, labels,
        ],
        summary:
          "an image grid labelled by class: per_class of each class (a column each), or count random ones",
        example: "fig = images(data.test, per_class: 3)",
        implementation: imagesFigure))
    register(
      Builtin(
        "reconstructions", returns: .host("figure"),
        parameters: [
          .required("model", .host("model")), .required("dataset", .host("dataset")),
          .keyword("count", .integer, default: .number(10)),
          .keyword("per_class", .boolean, default: .boolean(false)),
          .keyword("seed", .integer, default: .number(0)),
          columns, title, labels,
        ],
        summary:
          "originals above an autoencoder's reconstructions (random, or per_class: true for each class in turn)",
        example: "fig = reconstructions(ae, data.test, count: 10)",
        implementation: reconstructionsFigure))
    register(
      Builtin(
        "scatter", returns: .host("figure"),
        parameters: [
          .required("source", .oneOf([.host("model"), .host("dataset"), .list])),
          .optional("dataset", .optional(.host("dataset")), default: .none),
          .keyword("prior", .optional(.oneOf([.host("dataset"), .list])), default: .none),
          .keyword("limits", .optional(.oneOf([.number, .list])), default: .none),
          title, labels,
        ],
        summary:
          "latent codes coloured by class (PCA for more than 2-D), from an encoder and data, or codes",
        example: "fig = scatter(ae.encoder, data.test, limits: 4.5)",
        implementation: scatterFigure))
    register(
      Builtin(
        "confusion", returns: .host("figure"),
        parameters: [
          .required("source", .oneOf([.host("evaluation"), .host("model"), .host("comparison")])),
          .optional("dataset", .optional(.host("dataset")), default: .none),
          .keyword("normalized", .boolean, default: .boolean(false)),
          title, labels,
        ],
        summary: "a confusion matrix figure (true rows, predicted columns, accuracy in the title)",
        example: "fig = confusion(evaluate(mlp, codes.test), normalized: true)",
        implementation: confusionFigure))
    register(
      Builtin(
        "curves", returns: .host("figure"),
        parameters: [
          .required("history", .oneOf([.host("history"), .host("trainer"), .host("sweep")])),
          .keyword("metric", .optional(.string), default: .none),
          .keyword("log", .boolean, default: .boolean(false)),
          .keyword("grid", .boolean, default: .boolean(false)),
          title,
        ],
        summary:
          "training and validation curves per epoch, the early-stopping epoch marked by an arrow",
        example: "fig = curves(t.fit(30, early_stop: true), log: true)",
        implementation: curvesFigure))
    register(
      Builtin(
        "panels", returns: .host("figure"),
        parameters: [.variadic("figures", .oneOf([.host("figure"), .list])), columns, title],
        summary: "figures side by side (a list, or one argument each), each keeping its own title",
        example: "fig = panels([recon, scatter(codes.test), curves(h)])",
        implementation: panelsFigure))
    register(
      Builtin(
        "png", returns: .string,
        parameters: [
          .required("figure", .host("figure")), .required("path", .string),
          .keyword("scale", .integer, default: .number(1)),
        ],
        summary:
          "writes a figure as a PNG (or SVG for a path ending in .svg), atomically (missing folders are created); returns the path",
        example: "png(fig, \"figures/recon.png\", scale: 2)"
      ) { arguments in try writePNG(try arguments.host("figure", as: FigureObject.self), arguments)
      })
    register(
      Builtin(
        "show",
        parameters: [
          .required("figure", .host("figure")), .keyword("scale", .integer, default: .number(1)),
        ],
        summary:
          "shows a figure in the terminal (kitty, iTerm2, sixel), else writes a temporary PNG and prints its path",
        example: "show(fig)"
      ) { arguments in try show(try arguments.host("figure", as: FigureObject.self), arguments) })
  }
}
