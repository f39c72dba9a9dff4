import KMSNN
import KMSTensor
import Testing

/// Issue 10: after the first batches have sized every buffer, a training epoch allocates no
/// tensor memory, on the caller's thread or on the workers (`TensorAllocations` follows the work
/// into the pool).
@Suite("Allocation")
struct AllocationTests {
  /// Synthetic examples: `count` rows of `features` in [0, 1], labels cycling through `classes`.
  func examples(_ count: Int, features: Int, classes: Int = 0) -> Examples {
    var rng = RandomSource(seed: 5)
    let inputs = Tensor.uniform([count, features], in: 0...1, rng: &rng)
    return Examples(inputs: inputs,
                    labels: classes == 0 ? [] : (0..<count).map { Int32($0 % classes) })
  }

  /// The tensors made by the second epoch of `trainer` (the first one sizes the buffers).
  func secondEpochAllocations(_ trainer: Trainer) -> (buffers: Int, views: Int) {
    guard case .completed = trainer.step() else { Issue.record("first epoch failed"); return (0, 0) }
    var outcome: EpochOutcome?
    let counts = TensorAllocations.counting { outcome = trainer.step() }
    guard case .completed? = outcome else { Issue.record("second epoch failed"); return (0, 0) }
    return counts
  }

  @Test("the counter sees buffers and views, on the workers too")
  func counterCounts() {
    let counts = TensorAllocations.counting {
      let big = Tensor(shape: [256, 256])
      _ = big.rows(0..<10)
      Parallel.run(parts: 2) { _ in _ = Tensor(shape: [4]) }
    }
    #expect(counts.buffers == 3)
    #expect(counts.views == 1)
    #expect(TensorAllocations.counting {}.buffers == 0)
  }

  @Test("an SAE epoch allocates no tensor, with a short last batch and validation")
  func autoencoderEpoch() {
    // 70 examples at batch 16: four full batches and one of 6, which views the same buffers.
    let model = Autoencoder(inputSize: 32, encoderSizes: [24, 8], seed: 1)
    let trainer = Trainer(objective: ReconstructionObjective(model: model, learningRate: 0.001),
                          training: examples(70, features: 32),
                          validation: examples(20, features: 32), batchSize: 16, seed: 2)
    let counts = secondEpochAllocations(trainer)
    #expect(counts.buffers == 0)
  }

  @Test("an MLP epoch (the paper's shape, smaller) allocates no tensor")
  func classifierEpoch() {
    let model = Classifier(inputSize: 40, hiddenSizes: [30], classCount: 10, seed: 1)
    let trainer = Trainer(objective: ClassificationObjective(model: model, learningRate: 0.001),
                          training: examples(300, features: 40, classes: 10), batchSize: 140,
                          seed: 2)
    let counts = secondEpochAllocations(trainer)
    #expect(counts.buffers == 0)
  }

  @Test("a CNN epoch (convolutions, pooling, dropout) allocates no tensor")
  func convolutionEpoch() throws {
    let spec = ModelSpec(
      kind: .classifier, inputShape: [1, 10, 10],
      layers: [.conv(filters: 4, size: 3, stride: 1, padding: .valid, activation: .relu),
               .maxpool(size: 2, stride: 2), .dropout(rate: 0.3),
               .dense(units: 12, activation: .relu), .dense(units: 10, activation: .linear)])
    let trainer = Trainer(
      objective: ClassificationObjective(model: try spec.makeModel(seed: 1), learningRate: 0.001),
      training: examples(40, features: 100, classes: 10), batchSize: 16, seed: 2)
    let counts = secondEpochAllocations(trainer)
    #expect(counts.buffers == 0)
  }
}
