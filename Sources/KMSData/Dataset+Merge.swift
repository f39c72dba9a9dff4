import KMSTensor

extension Dataset {
  /// This dataset's examples followed by `other`'s, such as a training part and its validation
  /// part refitted together once early stopping has chosen the number of epochs.
  /// - Parameters:
  ///   - other: a dataset of the same classes and feature shape.
  ///   - name: the result's name; `<this>+<other>` when nil.
  /// - Returns: `count + other.count` rows, this dataset's first; features are copied.
  /// - Throws: `DataError` `.mismatch` when the classes or the feature shapes differ.
  public func merged(with other: Dataset, name: String? = nil) throws -> Dataset {
    guard classNames == other.classNames else {
      throw DataError(
        .mismatch, path: other.name,
        "has classes [\(other.classNames.joined(separator: ", "))], '\(self.name)' has "
          + "[\(classNames.joined(separator: ", "))]",
        hint: "merge parts of the same data (e.g. data.train.merge(data.validation))")
    }
    guard featureCount == other.featureCount, imageHeight == other.imageHeight,
      imageWidth == other.imageWidth
    else {
      throw DataError(
        .mismatch, path: other.name,
        "has \(other.shapeText), '\(self.name)' has \(shapeText)",
        hint: "merge images with images and codes with codes of the same width")
    }
    let features = Tensor(shape: [count + other.count, featureCount])
    features.data.update(from: self.features.data, count: self.features.count)
    (features.data + self.features.count).update(from: other.features.data, count: other.features.count)
    return Dataset(
      name: name ?? "\(self.name)+\(other.name)",
      provenance: Dataset.mergedProvenance(provenance, other.provenance),
      features: features, labels: labels + other.labels, classNames: classNames,
      imageHeight: imageHeight, imageWidth: imageWidth,
      sourceIndices: sourceIndices + other.sourceIndices)
  }

  /// The provenance of two parts merged: their common source said once when the two differ only
  /// after their last ": " (`KMNIST …, seed 1812: train part + validation part`), else both.
  static func mergedProvenance(_ first: String, _ second: String) -> String {
    guard let cut = first.range(of: ": ", options: .backwards),
      let otherCut = second.range(of: ": ", options: .backwards),
      first[..<cut.lowerBound] == second[..<otherCut.lowerBound]
    else { return "\(first) + \(second)" }
    return "\(first) + \(second[otherCut.upperBound...])"
  }

  /// `28×28 image examples` or `16-feature examples`, for messages.
  private var shapeText: String {
    (hasImageShape ? "\(imageHeight)×\(imageWidth) image" : "\(featureCount)-feature") + " examples"
  }
}
