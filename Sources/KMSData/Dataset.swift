import KMSTensor

/// Labelled examples in the form a trainer uses: a feature matrix [N, D] of Float and one class
/// label per row, with the class names and a record of exactly which data this is.
///
/// For images, row i is image i flattened row-major and scaled to [0, 1] (pixel / 255), so
/// D = imageHeight · imageWidth (784 for KMNIST). For encoded datasets (an autoencoder's codes)
/// D is the code width and there is no image shape.
///
/// `features` is a reference: datasets made from one another by `subset`, splits and so on copy
/// the rows they keep, but a `Dataset` value copied with `=` shares its tensor. Treat it as
/// read-only.
public struct Dataset: Sendable, CustomStringConvertible {
  /// A short identifier, such as `kmnist-test` or `kmnist-10k-train`.
  public var name: String
  /// Exactly which data this is, e.g. "KMNIST official test (10,000 images, /data/kmnist)".
  public var provenance: String
  /// [count, featureCount] Float: image pixels in [0, 1], or codes.
  public let features: Tensor
  /// The class of each row, in `0..<classNames.count`.
  public let labels: [Int32]
  /// The class names, indexed by label.
  public let classNames: [String]
  /// Pixel rows per image (28 for KMNIST), or 0 when the rows are not images.
  public let imageHeight: Int
  /// Pixel columns per image (28 for KMNIST), or 0 when the rows are not images.
  public let imageWidth: Int
  /// For each row, its index in the file it was read from, so that subsets and splits can be
  /// traced back (and checked to be disjoint).
  public let sourceIndices: [Int]

  /// Creates a dataset from a feature matrix and labels.
  /// - Parameters:
  ///   - name: a short identifier.
  ///   - provenance: exactly which data this is.
  ///   - features: [count, featureCount] Float.
  ///   - labels: one label per row, each in `0..<classNames.count`.
  ///   - classNames: the class names, indexed by label.
  ///   - imageHeight: pixel rows per image, or 0 when the rows are not images.
  ///   - imageWidth: pixel columns per image, or 0 when the rows are not images.
  ///   - sourceIndices: each row's index in its source file; `0..<count` when nil.
  public init(
    name: String, provenance: String, features: Tensor, labels: [Int32],
    classNames: [String], imageHeight: Int = 0, imageWidth: Int = 0,
    sourceIndices: [Int]? = nil
  ) {
    precondition(
      features.shape.rank == 2, "Dataset features must be [count, features], got \(features.shape)")
    precondition(
      features.shape[0] == labels.count,
      "Dataset has \(features.shape[0]) feature rows but \(labels.count) labels")
    precondition(
      labels.allSatisfy { $0 >= 0 && Int($0) < classNames.count },
      "Dataset labels must lie in 0..<\(classNames.count)")
    precondition(
      imageHeight * imageWidth == 0 || imageHeight * imageWidth == features.shape[1],
      "image shape \(imageHeight)×\(imageWidth) does not match \(features.shape[1]) features")
    precondition(
      sourceIndices == nil || sourceIndices!.count == labels.count,
      "Dataset needs one source index per row")
    self.name = name
    self.provenance = provenance
    self.features = features
    self.labels = labels
    self.classNames = classNames
    self.imageHeight = imageHeight * imageWidth == 0 ? 0 : imageHeight
    self.imageWidth = imageHeight * imageWidth == 0 ? 0 : imageWidth
    self.sourceIndices = sourceIndices ?? Array(0..<labels.count)
  }

  /// Creates an image dataset from uint8 images and labels as read from files, scaling each pixel
  /// to pixel / 255.
  /// - Parameters:
  ///   - images: the images.
  ///   - labels: one label per image.
  ///   - classNames: the class names; every label must be below their count.
  ///   - name: a short identifier.
  ///   - provenance: exactly which data this is.
  ///   - labelsPath: the labels' file, named in errors.
  /// - Throws: `DataError` `.mismatch` when the counts differ or a label is out of range.
  public init(
    images: ByteImages, labels: ByteLabels, classNames: [String], name: String,
    provenance: String, labelsPath: String = "labels"
  ) throws {
    guard images.count > 0 else {
      throw DataError(
        .mismatch, path: labelsPath,
        "holds no images: a dataset needs at least one example",
        hint: "check that this is the file you meant")
    }
    guard images.count == labels.values.count else {
      throw DataError(
        .mismatch, path: labelsPath,
        "\(grouped(labels.values.count)) labels for \(grouped(images.count)) images",
        hint: "images and labels must come from the same part (train or test) and release")
    }
    if let bad = labels.values.firstIndex(where: { Int($0) >= classNames.count }) {
      throw DataError(
        .mismatch, path: labelsPath,
        "label \(labels.values[bad]) at index \(bad) is not a class "
          + "(expected 0 to \(classNames.count - 1))",
        hint: "check that this is a labels file of the dataset you meant")
    }
    let featureCount = images.rows * images.columns
    let features = Tensor(shape: [images.count, featureCount])
    images.pixels.withUnsafeBufferPointer { pixels in
      for i in 0..<pixels.count { features.data[i] = Float(pixels[i]) / 255 }
    }
    self.init(
      name: name, provenance: provenance, features: features, labels: labels.values.map(Int32.init),
      classNames: classNames, imageHeight: images.rows, imageWidth: images.columns)
  }

  /// Creates an encoded dataset: new features (such as an encoder's codes) for known labels.
  /// - Parameters:
  ///   - codes: [count, latent] Float.
  ///   - labels: one label per row.
  ///   - classNames: the class names.
  ///   - provenance: what was encoded, and how.
  ///   - name: a short identifier.
  ///   - sourceIndices: each row's index in the original file, when known.
  public init(
    codes: Tensor, labels: [Int32], classNames: [String], provenance: String,
    name: String = "codes", sourceIndices: [Int]? = nil
  ) {
    self.init(
      name: name, provenance: provenance, features: codes, labels: labels,
      classNames: classNames, sourceIndices: sourceIndices)
  }

  /// The number of examples.
  public var count: Int { labels.count }
  /// Features per example (784 for KMNIST images).
  public var featureCount: Int { features.shape[1] }
  /// The number of classes.
  public var classCount: Int { classNames.count }
  /// True when each row is an image of `imageHeight × imageWidth` pixels.
  public var hasImageShape: Bool { imageHeight > 0 }

  /// How many examples each class has, indexed by label.
  public var classCounts: [Int] {
    var counts = [Int](repeating: 0, count: classCount)
    for label in labels { counts[Int(label)] += 1 }
    return counts
  }

  /// The row indices of each class, in row order, indexed by label.
  public var indicesByClass: [[Int]] {
    var result = [[Int]](repeating: [], count: classCount)
    for (row, label) in labels.enumerated() { result[Int(label)].append(row) }
    return result
  }

  /// A view of row `index` as a [imageHeight, imageWidth] image (shares memory with `features`).
  /// - Parameter index: the row, in `0..<count`.
  public func image(at index: Int) -> Tensor {
    precondition(hasImageShape, "image(at:): \(name) has no image shape (features are codes)")
    precondition(index >= 0 && index < count, "image(at: \(index)) out of range 0..<\(count)")
    return features.rows(index..<(index + 1)).reshaped([imageHeight, imageWidth])
  }

  /// The same labels with other features, such as an encoder's codes for these rows.
  /// - Parameters:
  ///   - codes: [count, latent] Float, one row per example of this dataset.
  ///   - name: the new dataset's name; this one's with `-codes` when nil.
  ///   - provenance: what the new features are; "codes of <this provenance>" when nil.
  public func replacingFeatures(
    with codes: Tensor, name: String? = nil,
    provenance: String? = nil
  ) -> Dataset {
    precondition(
      codes.shape.rank == 2 && codes.shape[0] == count,
      "replacingFeatures: \(count) examples but codes of shape \(codes.shape)")
    return Dataset(
      name: name ?? self.name + "-codes", provenance: provenance ?? "codes of \(self.provenance)",
      features: codes, labels: labels, classNames: classNames, sourceIndices: sourceIndices)
  }

  /// The examples at `indices`, in that order (rows are copied).
  /// - Parameters:
  ///   - indices: row indices, each in `0..<count`; repeats are allowed.
  ///   - name: the subset's name; this one's when nil.
  ///   - provenance: the subset's provenance; this one's plus "subset of N" when nil.
  public func subset(indices: [Int], name: String? = nil, provenance: String? = nil) -> Dataset {
    precondition(
      indices.allSatisfy { $0 >= 0 && $0 < count },
      "subset: indices must lie in 0..<\(count)")
    let gathered = Tensor(shape: [indices.count, featureCount])
    features.gatherRows(indices, into: gathered)
    return Dataset(
      name: name ?? self.name,
      provenance: provenance ?? "\(self.provenance), subset of \(grouped(indices.count))",
      features: gathered, labels: indices.map { labels[$0] }, classNames: classNames,
      imageHeight: imageHeight, imageWidth: imageWidth,
      sourceIndices: indices.map { sourceIndices[$0] })
  }

  /// The same number of examples from every class, kept in row order: the first `perClass` of
  /// each class, or (with a seed) a random `perClass` of each.
  /// - Parameters:
  ///   - perClass: examples to keep from each class.
  ///   - seed: nil for the first ones; otherwise the seed of the random choice.
  /// - Throws: `DataError` `.invalidRequest` when a class has fewer than `perClass`.
  public func subset(perClass: Int, seed: UInt64? = nil) throws -> Dataset {
    try requireExamples(perClass, inEachOf: indicesByClass, for: "a subset of \(perClass) per class")
    let chosen = classPicks(perClass: perClass, seed: seed).flatMap(\.rows).sorted()
    let how =
      seed.map { "random \(perClass) per class, seed \($0)" } ?? "first \(perClass) per class"
    return subset(indices: chosen, provenance: "\(provenance), \(how)")
  }

  /// The first (or, with a seed, a random) `perClass` rows of each class that has examples, class
  /// by class; a class with fewer gives all it has (callers check counts first).
  /// - Parameters:
  ///   - perClass: rows wanted of each class.
  ///   - seed: nil for the first rows in order; else the rows of a seeded shuffle.
  public func classPicks(perClass: Int, seed: UInt64? = nil) -> [(label: Int, rows: [Int])] {
    var rng = RandomSource(seed: seed ?? 0)
    return indicesByClass.enumerated().compactMap { label, members in
      guard !members.isEmpty else { return nil }
      var members = members
      if seed != nil { rng.shuffle(&members) }
      return (label, Array(members.prefix(perClass)))
    }
  }

  /// Throws when some class has fewer than `needed` examples.
  func requireExamples(_ needed: Int, inEachOf byClass: [[Int]], for purpose: String) throws {
    guard needed >= 0 else {
      throw DataError(.invalidRequest, path: name, "\(purpose): the count \(needed) is negative")
    }
    if let smallest = byClass.indices.min(by: { byClass[$0].count < byClass[$1].count }),
      byClass[smallest].count < needed
    {
      throw DataError(
        .invalidRequest, path: name,
        "\(purpose) needs \(needed) examples of each class, class \(smallest) "
          + "(\(classNames[smallest])) has \(byClass[smallest].count)",
        hint: "ask for at most \(byClass[smallest].count) per class")
    }
  }

  /// The image rows as uint8 pixels (round(x · 255), clamped), for writing IDX or npz files.
  /// Only for image datasets.
  public func byteImages() -> ByteImages {
    precondition(hasImageShape, "byteImages: \(name) has no image shape (features are codes)")
    var pixels = [UInt8](repeating: 0, count: count * featureCount)
    for i in 0..<pixels.count {
      pixels[i] = UInt8(min(max((features.data[i] * 255).rounded(), 0), 255))
    }
    return ByteImages(count: count, rows: imageHeight, columns: imageWidth, pixels: pixels)
  }

  /// Writes the images and labels as official-format IDX files (gzip when a path ends in `.gz`),
  /// each atomically. Pixels are written as round(x · 255), so files read by kms round-trip
  /// exactly.
  /// - Parameters:
  ///   - imagesPath: the images file, such as `kmnist-sample-images-idx3-ubyte.gz`.
  ///   - labelsPath: the labels file, such as `kmnist-sample-labels-idx1-ubyte.gz`.
  public func writeIDX(imagesTo imagesPath: String, labelsTo labelsPath: String) throws {
    precondition(classCount <= 256, "IDX labels are bytes; \(name) has \(classCount) classes")
    try byteImages().writeIDX(to: imagesPath)
    try ByteLabels(labels.map { UInt8($0) }).writeIDX(to: labelsPath)
  }

  /// A summary: name, provenance, size, shape and the examples per class.
  ///
  /// ```
  /// kmnist-test: KMNIST official test (/data/kmnist)
  ///   10,000 examples × 784 features (28×28 images in [0, 1]), 10 classes
  ///   per class: o 1000 · ki 1000 · su 1000 · …
  /// ```
  public var description: String {
    let shape =
      hasImageShape ? "\(imageHeight)×\(imageWidth) images in [0, 1]" : "not images"
    let counts = zip(classNames, classCounts).map { "\($0) \($1)" }.joined(separator: " · ")
    return """
      \(name): \(provenance)
        \(grouped(count)) examples × \(featureCount) features (\(shape)), \(classCount) classes
        per class: \(counts)
      """
  }
}
