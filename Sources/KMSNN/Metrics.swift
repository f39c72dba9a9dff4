import KMSTensor

/// Counts of (true label, predicted label) pairs: `counts[t][p]`, rows true, columns predicted.
public struct ConfusionMatrix: Sendable, Equatable {
  /// `counts[trueLabel][predictedLabel]`.
  public let counts: [[Int]]

  /// Tallies predictions against labels.
  /// - Parameters:
  ///   - predicted: predicted classes.
  ///   - labels: true classes, as many.
  ///   - classCount: the number of classes; every label and prediction must be below it.
  public init(predicted: [Int], labels: [Int32], classCount: Int) {
    precondition(predicted.count == labels.count,
                 "ConfusionMatrix: \(predicted.count) predictions for \(labels.count) labels")
    var counts = Array(repeating: Array(repeating: 0, count: classCount), count: classCount)
    for (p, t) in zip(predicted, labels) {
      precondition(p >= 0 && p < classCount && t >= 0 && Int(t) < classCount,
                   "ConfusionMatrix: class \(p) or \(t) outside 0..<\(classCount)")
      counts[Int(t)][p] += 1
    }
    self.counts = counts
  }

  /// Creates a matrix from counts (rows true, columns predicted).
  /// - Parameter counts: a square table.
  public init(counts: [[Int]]) {
    precondition(counts.allSatisfy { $0.count == counts.count }, "ConfusionMatrix needs a square table")
    self.counts = counts
  }

  /// The number of classes.
  public var classCount: Int { counts.count }
  /// All examples counted.
  public var total: Int { counts.joined().reduce(0, +) }
  /// The fraction on the diagonal.
  public var accuracy: Double {
    total == 0 ? 0 : Double((0..<classCount).reduce(0) { $0 + counts[$1][$1] }) / Double(total)
  }
  /// For each true class, the fraction predicted correctly (recall); 0 for an empty row.
  public var perClassAccuracy: [Double] {
    (0..<classCount).map { c in
      let row = counts[c].reduce(0, +)
      return row == 0 ? 0 : Double(counts[c][c]) / Double(row)
    }
  }
  /// Each row divided by its total (rows of zeros stay zero).
  public var rowNormalized: [[Double]] {
    counts.map { row in
      let sum = row.reduce(0, +)
      return row.map { sum == 0 ? 0 : Double($0) / Double(sum) }
    }
  }
}

/// Runs `network` over `inputs` in batches of 1,000, in evaluation mode, and returns all outputs
/// flat, `[count, outputs]`.
///
/// This is how a dataset is encoded into codes (`network` = an autoencoder's encoder) or
/// classified (`network` = a classifier).
/// - Parameters:
///   - network: any layer or model network; it is left in evaluation mode.
///   - inputShape: the shape of one example as the network sees it (`[784]`, `[1, 28, 28]`).
///   - inputs: `[count, features]`, features = the input shape's element count.
public func predict(_ network: Layer, inputShape: Shape, inputs: Tensor) -> Tensor {
  precondition(inputs.shape.rowSize == inputShape.elementCount,
               "predict: inputs \(inputs.shape) do not hold examples of shape \(inputShape)")
  network.setTraining(false)
  let count = inputs.shape[0]
  let width = network.outputShape(for: inputShape).elementCount
  let result = Tensor(shape: [count, width])
  for start in stride(from: 0, to: count, by: 1000) {
    let end = min(start + 1000, count)
    result.rows(start..<end).reshaped([end - start, width])
      .assign(network.forward(inputs.rows(start..<end)).reshaped([end - start, width]))
  }
  return result
}

/// The argmax of each row of `[count, classes]` scores.
/// - Parameter scores: logits, probabilities or codes.
public func argmaxRows(_ scores: Tensor) -> [Int] {
  (0..<scores.shape[0]).map { scores.argmax(row: $0) }
}

/// The fraction of predictions equal to their labels.
/// - Parameters:
///   - predicted: predicted classes.
///   - labels: true classes, as many.
public func accuracy(predicted: [Int], labels: [Int32]) -> Double {
  precondition(predicted.count == labels.count, "accuracy: \(predicted.count) vs \(labels.count)")
  guard !labels.isEmpty else { return 0 }
  return Double(zip(predicted, labels).filter { $0 == Int($1) }.count) / Double(labels.count)
}
