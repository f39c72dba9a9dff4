/// A grid of grayscale images (e.g. samples per class), upscaled nearest-neighbour with thin
/// gutters and no axes, each optionally captioned (e.g. with its class name).
public struct ImageGrid: Figure {
  let table: ImageTable

  /// Creates an image grid.
  /// - Parameters:
  ///   - images: the images, each `height × width` values in [0, 1] row-major (0 black, 1 white).
  ///   - imageWidth: the width of each image; `nil` means square (784 values → 28×28).
  ///   - captions: one caption per image, or `nil` for none.
  ///   - columns: images per row; `nil` uses up to 10.
  ///   - title: a title above the grid.
  /// - Throws: `PlotError` for no images, unequal sizes, non-finite values or a caption count
  ///   that does not match.
  public init(
    images: [[Float]], imageWidth: Int? = nil, captions: [String]? = nil,
    columns: Int? = nil, title: String? = nil
  ) throws {
    let wrapped = try grayImages(images, width: imageWidth, what: "images")
    if let captions, captions.count != images.count {
      throw PlotError.mismatchedCounts(
        what: "caption count (one per image)", expected: images.count,
        actual: captions.count)
    }
    if let columns, columns < 1 {
      throw PlotError.invalidArgument(name: "columns", expected: "at least 1", actual: "\(columns)")
    }
    let perRow = columns ?? min(images.count, 10)
    var rows: [[GrayImage]] = [], captionRows: [[String]] = []
    for start in stride(from: 0, to: wrapped.count, by: perRow) {
      let end = min(start + perRow, wrapped.count)
      rows.append(Array(wrapped[start..<end]))
      if let captions { captionRows.append(Array(captions[start..<end])) }
    }
    table = ImageTable(
      rows: rows, rowLabels: nil, captions: captions == nil ? nil : captionRows,
      title: title)
  }

  /// Creates an image grid captioned by class name.
  /// - Parameters:
  ///   - images: the images, each `height × width` values in [0, 1].
  ///   - labels: one class label per image, in `0..<classNames.count`.
  ///   - classNames: the class names, e.g. the ten romanized KMNIST names.
  ///   - imageWidth: the width of each image; `nil` means square.
  ///   - columns: images per row; `nil` uses up to 10.
  ///   - title: a title above the grid.
  /// - Throws: `PlotError` as the other initialiser, and for zero classes or a bad label.
  public init(
    images: [[Float]], labels: [Int], classNames: [String], imageWidth: Int? = nil,
    columns: Int? = nil, title: String? = nil
  ) throws {
    guard !classNames.isEmpty else { throw PlotError.noClasses }
    guard labels.count == images.count else {
      throw PlotError.mismatchedCounts(
        what: "label count (one per image)", expected: images.count,
        actual: labels.count)
    }
    try requireLabels(labels, classCount: classNames.count, "labels")
    try self.init(
      images: images, imageWidth: imageWidth, captions: labels.map { classNames[$0] },
      columns: columns, title: title)
  }

  /// Sized to show the images 1–4× (about 900 pixels wide at most).
  public var preferredSize: (width: Int, height: Int) {
    table.preferredSize(zoom: table.naturalZoom)
  }

  /// Draws the grid centred in `canvas`.
  /// - Parameters:
  ///   - canvas: the target.
  ///   - style: sizes for the scale.
  public func draw(in canvas: Canvas, style: PlotStyle) { table.draw(in: canvas, style: style) }
}

/// Originals above their reconstructions (the paper's Fig. 10): each block is a row of originals
/// labelled "original" over the matching row of reconstructions labelled "reconstruction", the
/// labels beside the images and, given labels, each column headed by its class; more images than
/// fit one row make several blocks.
public struct ReconstructionGrid: Figure {
  let table: ImageTable

  /// Creates a reconstruction grid.
  /// - Parameters:
  ///   - originals: the input images, each `height × width` values in [0, 1].
  ///   - reconstructions: the decoder's outputs, same count and size, in the same order.
  ///   - labels: the class of each original, to head its column; `nil` for no headings.
  ///   - classNames: the class names the labels index.
  ///   - imageWidth: the width of each image; `nil` means square.
  ///   - columns: images per row; `nil` uses up to 10.
  ///   - title: a title above the grid.
  /// - Throws: `PlotError` for no images, mismatched counts or sizes, non-finite values, or a label
  ///   outside the class names.
  public init(
    originals: [[Float]], reconstructions: [[Float]], labels: [Int]? = nil,
    classNames: [String]? = nil, imageWidth: Int? = nil, columns: Int? = nil,
    title: String? = nil
  ) throws {
    let top = try grayImages(originals, width: imageWidth, what: "originals")
    guard reconstructions.count == originals.count else {
      throw PlotError.mismatchedCounts(
        what: "reconstruction count (one per original)",
        expected: originals.count, actual: reconstructions.count)
    }
    let bottom = try grayImages(reconstructions, width: top[0].width, what: "reconstructions")
    guard bottom[0].pixels.count == top[0].pixels.count else {
      throw PlotError.mismatchedCounts(
        what: "reconstruction size (values per image)",
        expected: top[0].pixels.count, actual: bottom[0].pixels.count)
    }
    if let columns, columns < 1 {
      throw PlotError.invalidArgument(name: "columns", expected: "at least 1", actual: "\(columns)")
    }
    var names: [String]?
    if let labels {
      guard labels.count == originals.count else {
        throw PlotError.mismatchedCounts(
          what: "label count (one per original)", expected: originals.count,
          actual: labels.count)
      }
      let classNames = classNames ?? (0...(labels.max() ?? 0)).map { String($0) }
      guard !classNames.isEmpty else { throw PlotError.noClasses }
      try requireLabels(labels, classCount: classNames.count, "labels")
      names = labels.map { classNames[$0] }
    }
    let perRow = columns ?? min(originals.count, 10)
    var rows: [[GrayImage]] = [], rowLabels: [String] = [], captions: [[String]] = []
    for start in stride(from: 0, to: top.count, by: perRow) {
      let end = min(start + perRow, top.count)
      rows.append(Array(top[start..<end]))
      rows.append(Array(bottom[start..<end]))
      rowLabels += ["original", "reconstruction"]
      captions += [names.map { Array($0[start..<end]) } ?? [], []]
    }
    table = ImageTable(
      rows: rows, rowLabels: rowLabels, captions: names == nil ? nil : captions, title: title,
      rowsPerBlock: 2, captionsAbove: true)
  }

  /// Sized to show the images 1–4×.
  public var preferredSize: (width: Int, height: Int) {
    table.preferredSize(zoom: table.naturalZoom)
  }

  /// Draws the grid centred in `canvas`.
  /// - Parameters:
  ///   - canvas: the target.
  ///   - style: sizes for the scale.
  public func draw(in canvas: Canvas, style: PlotStyle) { table.draw(in: canvas, style: style) }
}
