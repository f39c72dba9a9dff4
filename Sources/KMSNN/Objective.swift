import KMSTensor

/// The loss of one batch, with the count of correct predictions for classifiers.
public struct BatchResult {
  /// The batch's mean loss.
  public var loss: Float
  /// Correctly classified examples in the batch (0 when the objective does not classify).
  public var correct: Int
  /// The loss's parts, for objectives made of several terms (Part B); nil otherwise.
  public var terms: LossTerms? = nil
}

/// What the trainer optimises: one update per batch, and evaluation without updates.
///
/// Each objective owns its optimizers. Part B's regularised and adversarial objectives conform
/// too, so one trainer drives every experiment of the paper.
public protocol Objective: AnyObject {
  /// The parameters early stopping snapshots and restores.
  var store: ParameterStore { get }
  /// Whether batches report `correct` (accuracy is then recorded).
  var reportsAccuracy: Bool { get }
  /// Whether the objective needs labels.
  var needsLabels: Bool { get }
  /// Features each input must have.
  var inputSize: Int { get }

  /// Runs forward, backward and the optimizer step(s) on one batch.
  /// - Parameters:
  ///   - inputs: `[batch, inputSize]`.
  ///   - labels: the batch's labels (empty if unlabelled).
  func trainStep(inputs: Tensor, labels: ArraySlice<Int32>) -> BatchResult

  /// Computes the loss (and correct count) on one batch without changing any parameter.
  /// - Parameters:
  ///   - inputs: `[batch, inputSize]`.
  ///   - labels: the batch's labels (empty if unlabelled).
  func evaluate(inputs: Tensor, labels: ArraySlice<Int32>) -> BatchResult
}

/// Reconstruction: the autoencoder learns to output its input, loss MSE (paper Part A).
public final class ReconstructionObjective: Objective {
  /// The model trained.
  public let model: Autoencoder
  /// Its optimizer, over every parameter.
  public let optimizer: Adam
  private var lossGradient = ReusableBuffer()  // [batch, inputSize]

  /// Creates the objective with an Adam optimizer over the whole autoencoder.
  /// - Parameters:
  ///   - model: the autoencoder.
  ///   - learningRate: Adam's step size.
  public init(model: Autoencoder, learningRate: Float) {
    self.model = model
    optimizer = Adam(name: "autoencoder", parameters: model.store.parameters,
                     learningRate: learningRate)
  }

  /// The autoencoder's store.
  public var store: ParameterStore { model.store }
  /// False: the loss is MSE.
  public var reportsAccuracy: Bool { false }
  /// False.
  public var needsLabels: Bool { false }
  /// The autoencoder's input width.
  public var inputSize: Int { model.inputSize }

  /// One Adam step on MSE(decoder(encoder(x)), x).
  public func trainStep(inputs: Tensor, labels: ArraySlice<Int32>) -> BatchResult {
    model.store.zeroGradients()
    let reconstruction = model.network.forward(inputs)
    let dLoss = lossGradient.tensor(reconstruction.shape)
    let loss = meanSquaredError(predicted: reconstruction, target: inputs, gradient: dLoss)
    optimizer.beginStep()
    _ = model.network.backward(dLoss) { layer in layer.parameters.forEach(optimizer.update) }
    return BatchResult(loss: loss, correct: 0)
  }

  /// MSE of the reconstruction.
  public func evaluate(inputs: Tensor, labels: ArraySlice<Int32>) -> BatchResult {
    let reconstruction = model.network.forward(inputs)
    let dLoss = lossGradient.tensor(reconstruction.shape)
    return BatchResult(
      loss: meanSquaredError(predicted: reconstruction, target: inputs, gradient: dLoss), correct: 0)
  }
}

/// Classification: softmax cross-entropy on integer labels, accuracy from the argmax.
public final class ClassificationObjective: Objective {
  /// The model trained.
  public let model: Classifier
  /// Its optimizer.
  public let optimizer: Adam
  private var lossGradient = ReusableBuffer()  // [batch, classes]

  /// Creates the objective with an Adam optimizer over the whole classifier.
  /// - Parameters:
  ///   - model: the classifier.
  ///   - learningRate: Adam's step size.
  public init(model: Classifier, learningRate: Float) {
    self.model = model
    optimizer = Adam(name: "classifier", parameters: model.store.parameters,
                     learningRate: learningRate)
  }

  /// The classifier's store.
  public var store: ParameterStore { model.store }
  /// True.
  public var reportsAccuracy: Bool { true }
  /// True.
  public var needsLabels: Bool { true }
  /// The classifier's input width.
  public var inputSize: Int { model.inputSize }

  /// One Adam step on the cross-entropy.
  public func trainStep(inputs: Tensor, labels: ArraySlice<Int32>) -> BatchResult {
    model.store.zeroGradients()
    let result = lossAndCorrect(inputs: inputs, labels: labels)
    optimizer.beginStep()
    _ = model.network.backward(result.gradient) { layer in layer.parameters.forEach(optimizer.update) }
    return result.batch
  }

  /// Cross-entropy and correct count.
  public func evaluate(inputs: Tensor, labels: ArraySlice<Int32>) -> BatchResult {
    lossAndCorrect(inputs: inputs, labels: labels).batch
  }

  private func lossAndCorrect(inputs: Tensor, labels: ArraySlice<Int32>)
    -> (batch: BatchResult, gradient: Tensor)
  {
    let logits = model.network.forward(inputs)
    var correct = 0
    for (row, label) in zip(0..<logits.shape[0], labels) where logits.argmax(row: row) == label {
      correct += 1
    }
    let dLogits = lossGradient.tensor(logits.shape)
    let loss = softmaxCrossEntropy(logits: logits, labels: labels, gradient: dLogits)
    return (BatchResult(loss: loss, correct: correct), dLogits)
  }
}
