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

  /// Switches every network the objective runs between training and evaluation.
  func setTraining(_ isTraining: Bool)

  /// Everything besides the model's weights that training changes: each optimizer's moments and
  /// step, weights of networks outside the model (a discriminator), the random state. Saving it
  /// with the weights and restoring both continues training exactly.
  var state: ObjectiveState { get }

  /// Puts back a state taken from an objective of the same construction.
  /// - Throws: `ObjectiveStateError` when the state does not fit (other optimizers or shapes).
  func restore(_ state: ObjectiveState) throws(ObjectiveStateError)

  /// After a non-finite loss: the first layer whose output is not finite on `inputs` (run in
  /// evaluation mode), such as `layer 3, Dense(400 → 225)`, or nil when none is found.
  func firstNonFiniteLayer(inputs: Tensor) -> String?
}

extension Objective {
  /// Objectives that cannot say where values stop being finite name no layer.
  public func firstNonFiniteLayer(inputs: Tensor) -> String? { nil }
}

/// The first leaf layer of `network` whose output on `inputs` has a NaN or an infinity.
func firstNonFiniteLayer(of network: Sequential, inputs: Tensor) -> String? {
  func leaves(_ layer: Layer) -> [Layer] {
    (layer as? Sequential).map { $0.layers.flatMap(leaves) } ?? [layer]
  }
  network.setTraining(false)
  var x = inputs
  for (index, layer) in leaves(network).enumerated() {
    x = layer.forward(x)
    if !(0..<x.count).allSatisfy({ x.data[$0].isFinite }) { return "layer \(index + 1), \(layer.summaryName)" }
  }
  return nil
}

/// The training step of every objective with one network, one Adam over all of its parameters
/// and one loss on its output, written once: zero the gradients, forward, the loss and its
/// gradient, then backward with each layer updated as soon as its gradient is final.
/// `ReconstructionObjective` and `ClassificationObjective` name its two uses.
public class SupervisedObjective: Objective {
  /// What the network's output is compared with.
  public enum Target: Equatable, Sendable {
    /// The input itself, by mean squared error (paper Part A's autoencoder).
    case reconstruction
    /// Integer labels of this many classes, by softmax cross-entropy on the logits.
    case classes(Int)
  }

  /// The model trained.
  public let model: Model
  /// What its output is compared with.
  public let target: Target
  /// Its optimizer, over every parameter.
  public let optimizer: Adam
  private var lossGradient = ReusableBuffer()  // [batch, outputs]: ∂loss/∂output

  /// Creates the objective with an Adam optimizer over the whole model.
  /// - Parameters:
  ///   - model: any model; for reconstruction its output must have its input's size.
  ///   - target: the comparison.
  ///   - learningRate: Adam's step size.
  ///   - adamEpsilon: where Adam adds ε.
  public init(model: Model, target: Target, learningRate: Float,
              adamEpsilon: AdamEpsilon = .keras) {
    self.model = model
    self.target = target
    let name: String
    switch target {
    case .reconstruction:
      precondition(model.network.outputShape(for: model.inputShape).elementCount == model.inputSize,
                   "\(model.kindDescription) does not reconstruct its input")
      name = "autoencoder"
    case .classes(let count):
      precondition(model.network.outputShape(for: model.inputShape) == [count],
                   "\(model.kindDescription) does not give \(count) logits")
      name = "classifier"
    }
    optimizer = Adam(name: name, parameters: model.store.parameters, learningRate: learningRate,
                     epsilonForm: adamEpsilon)
  }

  /// The model's store.
  public var store: ParameterStore { model.store }
  /// True when classifying.
  public var reportsAccuracy: Bool { target != .reconstruction }
  /// True when classifying.
  public var needsLabels: Bool { target != .reconstruction }
  /// The model's input width.
  public var inputSize: Int { model.inputSize }

  /// One Adam step on the loss; none when the loss is not finite (the trainer stops there and
  /// the model keeps its weights from before the batch).
  public func trainStep(inputs: Tensor, labels: ArraySlice<Int32>) -> BatchResult {
    model.store.zeroGradients()
    let output = model.network.forward(inputs)
    let dLoss = lossGradient.tensor(output.shape)
    let result = loss(of: output, inputs: inputs, labels: labels, gradient: dLoss)
    guard result.loss.isFinite else { return result }
    optimizer.beginStep()
    _ = model.network.backward(dLoss) { layer in layer.parameters.forEach(optimizer.update) }
    return result
  }

  /// The loss (and correct count) without an update.
  public func evaluate(inputs: Tensor, labels: ArraySlice<Int32>) -> BatchResult {
    let output = model.network.forward(inputs)
    return loss(of: output, inputs: inputs, labels: labels, gradient: lossGradient.tensor(output.shape))
  }

  /// Switches the model.
  public func setTraining(_ isTraining: Bool) { model.setTraining(isTraining) }

  /// The first layer of the model whose output is not finite.
  public func firstNonFiniteLayer(inputs: Tensor) -> String? {
    KMSNN.firstNonFiniteLayer(of: model.network, inputs: inputs)
  }

  /// The optimizer's state.
  public var state: ObjectiveState { ObjectiveState(optimizers: [optimizer.state]) }

  /// Puts back the optimizer's state.
  public func restore(_ state: ObjectiveState) throws(ObjectiveStateError) {
    try state.expect(optimizers: 1, auxiliaryWeights: 0, random: false)
    try optimizer.restore(state.optimizers[0])
  }

  /// MSE against the input, or cross-entropy and the count of correct argmaxes.
  /// - Parameter gradient: receives ∂loss/∂output, the output's shape.
  private func loss(of output: Tensor, inputs: Tensor, labels: ArraySlice<Int32>, gradient: Tensor)
    -> BatchResult
  {
    switch target {
    case .reconstruction:
      // A spatial autoencoder's output is `[batch, 1, 28, 28]` against flat inputs: view it flat
      // (only then, so the dense case makes no view objects in the loop).
      let flat = output.shape == inputs.shape
      return BatchResult(
        loss: meanSquaredError(predicted: flat ? output : output.reshaped(inputs.shape), target: inputs,
                               gradient: flat ? gradient : gradient.reshaped(inputs.shape)),
        correct: 0)
    case .classes:
      var correct = 0
      for (row, label) in zip(0..<output.shape[0], labels) where output.argmax(row: row) == label {
        correct += 1
      }
      return BatchResult(loss: softmaxCrossEntropy(logits: output, labels: labels, gradient: gradient),
                         correct: correct)
    }
  }
}

/// Reconstruction: the autoencoder learns to output its input, loss MSE (paper Part A).
public final class ReconstructionObjective: SupervisedObjective {
  /// Creates the objective with an Adam optimizer over the whole model.
  /// - Parameters:
  ///   - model: a model whose output has its input's size (an autoencoder).
  ///   - learningRate: Adam's step size.
  ///   - adamEpsilon: where Adam adds ε.
  public init(model: Model, learningRate: Float, adamEpsilon: AdamEpsilon = .keras) {
    super.init(model: model, target: .reconstruction, learningRate: learningRate,
               adamEpsilon: adamEpsilon)
  }
}

/// Classification: softmax cross-entropy on integer labels, accuracy from the argmax.
public final class ClassificationObjective: SupervisedObjective {
  /// Creates the objective with an Adam optimizer over the whole classifier.
  /// - Parameters:
  ///   - model: a model that gives logits (`classCount` is set).
  ///   - learningRate: Adam's step size.
  ///   - adamEpsilon: where Adam adds ε.
  public init(model: Model, learningRate: Float, adamEpsilon: AdamEpsilon = .keras) {
    precondition(model.classCount != nil, "\(model.kindDescription) gives no class logits")
    super.init(model: model, target: .classes(model.classCount!), learningRate: learningRate,
               adamEpsilon: adamEpsilon)
  }
}
