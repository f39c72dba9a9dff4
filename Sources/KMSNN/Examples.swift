import KMSTensor

/// Inputs and their labels, as the trainer sees a dataset: `inputs` is `[count, features]`.
/// (KMSData's datasets hand over their `features` and `labels`; codes from an encoder work too.)
public struct Examples {
  /// `[count, features]`.
  public let inputs: Tensor
  /// One label per row, or empty when the data is unlabelled (reconstruction needs none).
  public let labels: [Int32]

  /// Pairs inputs with labels.
  /// - Parameters:
  ///   - inputs: `[count, features]`.
  ///   - labels: `count` labels, or none.
  public init(inputs: Tensor, labels: [Int32] = []) {
    precondition(inputs.shape.rank >= 2, "Examples need [count, features] inputs, got \(inputs.shape)")
    precondition(labels.isEmpty || labels.count == inputs.shape[0],
                 "Examples: \(inputs.shape[0]) inputs but \(labels.count) labels")
    self.inputs = inputs.shape.rank == 2 ? inputs : inputs.reshaped([inputs.shape[0], inputs.shape.rowSize])
    self.labels = labels
  }

  /// The number of examples.
  public var count: Int { inputs.shape[0] }
  /// Features of one example.
  public var featureCount: Int { inputs.shape.rowSize }
}
