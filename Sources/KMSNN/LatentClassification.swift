import KMSTensor

/// Classification straight from a code (paper §III.B.I, Fig. 18): each code's class is the argmax
/// of log-softmax(code), which is the argmax of the code itself. With an unsupervised prior the
/// dimension standing for a class is arbitrary, so the accuracy is reported raw (dimension j is
/// class j) and under the best one-to-one relabelling of dimensions to classes (the Hungarian
/// assignment). PAPER-NOTES.md gives the paper's Fig. 18 as 21.9% raw and 29.5% relabelled.
public struct LatentClassification: Sendable, Equatable {
  /// `counts[trueClass][dimension]`: dimension j read as class j.
  public let raw: ConfusionMatrix
  /// The best relabelling: `relabelling.classOfPrediction[j]` is the class dimension j stands for.
  public let relabelling: Relabelling
  /// `counts[trueClass][relabelledClass]`.
  public let relabelled: ConfusionMatrix

  /// The fraction whose argmax dimension equals their class.
  public var rawAccuracy: Double { raw.accuracy }
  /// The fraction right under the best relabelling.
  public var relabelledAccuracy: Double { relabelling.accuracy }
}

/// Classifies codes by their argmax and relabels the dimensions optimally.
/// - Parameters:
///   - codes: `[count, classCount]`, one dimension per class.
///   - labels: the true classes, each below `classCount`.
/// - Returns: both confusion matrices and the relabelling.
public func classifyLatent(codes: Tensor, labels: [Int32]) -> LatentClassification {
  precondition(codes.shape.rank == 2 && codes.shape[0] == labels.count,
               "classifyLatent: codes \(codes.shape) for \(labels.count) labels")
  let classes = codes.shape[1]
  let predicted = argmaxRows(codes)
  let raw = ConfusionMatrix(predicted: predicted, labels: labels, classCount: classes)
  let relabelling = raw.bestRelabelling
  // A square table leaves no dimension unassigned, so every mapped class is a real one.
  let mapped = relabelling.apply(to: predicted)
  let relabelled = ConfusionMatrix(predicted: mapped, labels: labels, classCount: classes)
  return LatentClassification(raw: raw, relabelling: relabelling, relabelled: relabelled)
}
