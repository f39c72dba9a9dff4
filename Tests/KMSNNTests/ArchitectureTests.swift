import Foundation
import KMSNN
import KMSTensor
import KMSTestSupport
import Testing

@Suite("Models from layer specs")
struct ModelSpecTests {
  @Test("the stacked autoencoder spec builds the paper's SAE, parameter names and all")
  func autoencoderSpec() throws {
    let spec = ModelSpec.autoencoder(inputSize: 784, encoderSizes: [800, 400, 225])
    #expect(try spec.check() == 2_077_809)
    let model = try spec.makeModel(seed: 1)
    #expect(model.parameterCount == 2_077_809)
    #expect(model.kindDescription == "autoencoder 784-800-400-225-400-800-784")
    #expect(model.store.parameters.map(\.name).prefix(4) == ["enc1.weight", "enc1.bias", "enc2.weight", "enc2.bias"])
    #expect(model.store.parameters.last?.name == "dec3.bias")
    #expect(model.encoderDecoder != nil && model.classCount == nil)
    // The convenience initialiser is the same spec, so the same seed gives the same weights.
    let direct = Autoencoder(inputSize: 784, encoderSizes: [800, 400, 225], seed: 1)
    #expect(direct.store.values.isIdentical(to: model.store.values))
  }

  @Test("a layer list infers every shape; dropout adds no parameters")
  func layerList() throws {
    let spec = ModelSpec(kind: .classifier, inputShape: [784],
                         layers: [.dense(units: 448, activation: .relu), .dropout(rate: 0.2),
                                  .dense(units: 448, activation: .relu), .dense(units: 10, activation: .linear)])
    #expect(try spec.check() == 557_322)  // the 784-448-448-10 MLP of the authors' earlier work
    let model = try spec.makeModel()
    #expect(model.classCount == 10)
    #expect(model.network.outputShape(for: model.inputShape) == [10])
    #expect(model.store.parameters.map(\.name) == ["dense1.weight", "dense1.bias", "dense2.weight",
                                                   "dense2.bias", "dense3.weight", "dense3.bias"])
  }

  @Test("shapes and kinds that cannot work are refused before anything is allocated")
  func refusals() {
    func message(_ spec: ModelSpec) -> String? {
      do { try spec.check(); return nil } catch { return error.message }
    }
    #expect(message(ModelSpec(kind: .classifier, inputShape: [784], layers: [.dense(units: 10, activation: .relu)]))
            == "a classifier must end with a linear dense layer of 2 or more class logits")
    #expect(message(ModelSpec(kind: .classifier, inputShape: [784], layers: [.dropout(rate: 1.5),
                                                                             .dense(units: 10, activation: .linear)]))
            == "layer 1, dropout(1.5): the rate must be in [0, 1), got 1.5")
    #expect(message(ModelSpec(kind: .autoencoder, inputShape: [784], layers: [.dense(units: 2, activation: .linear)],
                              decoder: [.dense(units: 700, activation: .sigmoid)]))
            == "the decoder gives [700] but the input is [784]")
    let huge = ModelSpec.autoencoder(inputSize: 784, encoderSizes: [100_000, 100_000])
    #expect(message(huge)?.hasSuffix("kms allows at most 250,000,000") == true)
    #expect(message(ModelSpec(kind: .classifier, inputShape: [], layers: [])) != nil)
  }

  @Test("specs survive JSON, the form model files store")
  func codable() throws {
    let spec = ModelSpec(kind: .classifier, inputShape: [1, 28, 28],
                         layers: [.dense(units: 64, activation: .tanh), .dropout(rate: 0.25),
                                  .activation(.relu), .dense(units: 10, activation: .linear)])
    let json = try JSONEncoder().encode(spec)
    #expect(try JSONDecoder().decode(ModelSpec.self, from: json) == spec)
  }
}

@Suite("Training and evaluation modes")
struct ModeTests {
  @Test("dropout keeps 1 − rate of the values, scaled up, and is the identity in evaluation")
  func dropout() {
    let layer = Dropout(rate: 0.25, seed: 7)
    let x = Tensor(shape: [100, 100], repeating: 1)
    layer.setTraining(true)
    let y = layer.forward(x).copy()
    let kept = y.scalars.filter { $0 != 0 }
    #expect(abs(Double(kept.count) / 10_000 - 0.75) < 0.02)
    #expect(kept.allSatisfy { abs($0 - 1 / 0.75) < 1e-6 })
    // The gradient uses the same mask.
    let dx = layer.backward(Tensor(shape: [100, 100], repeating: 1))!
    #expect(dx.scalars == y.scalars)
    layer.setTraining(false)
    #expect(layer.forward(x).isIdentical(to: x))
  }

  @Test("dropout's backward is dy times the forward pass's mask, the derivative of y = x·mask")
  func dropoutGradient() {
    // A central-difference check would draw a new mask on every forward pass, so the derivative
    // is checked against the mask recovered from the forward pass instead.
    let layer = Dropout(rate: 0.5, seed: 3)
    layer.setTraining(true)
    var rng = RandomSource(seed: 1)
    let x = Tensor.uniform([4, 6], in: -1...1, rng: &rng)
    let y = layer.forward(x).copy()
    let dy = Tensor.uniform([4, 6], in: -1...1, rng: &rng)
    let dx = layer.backward(dy)!
    for i in 0..<x.count {
      // y = x·m, so ∂(dy·y)/∂x = dy·m = dy·(y/x).
      let expected = y[i] == 0 ? 0 : dy[i] * y[i] / x[i]
      #expect(abs(dx[i] - expected) < 1e-5)
    }
  }

  @Test("the trainer trains in training mode and evaluates in evaluation mode")
  func trainerSwitchesModes() throws {
    let spec = ModelSpec(kind: .classifier, inputShape: [10],
                         layers: [.dense(units: 16, activation: .relu), .dropout(rate: 0.5),
                                  .dense(units: 2, activation: .linear)])
    let model = try spec.makeModel(seed: 2)
    var rng = RandomSource(seed: 4)
    let x = Tensor.uniform([64, 10], in: 0...1, rng: &rng)
    let examples = Examples(inputs: x, labels: (0..<64).map { x[$0, 0] > 0.5 ? 1 : 0 })
    let trainer = Trainer(objective: ClassificationObjective(model: model, learningRate: 0.01),
                          training: examples, validation: examples, batchSize: 16)
    trainer.fit(epochs: 2)
    // After training the model is in evaluation mode: two predictions agree, and one example's
    // output does not depend on the rest of its batch.
    let all = predict(model.network, inputShape: model.inputShape, inputs: x)
    let again = predict(model.network, inputShape: model.inputShape, inputs: x)
    #expect(all.isIdentical(to: again))
    let one = predict(model.network, inputShape: model.inputShape, inputs: x.rows(5..<6))
    #expect(one.scalars == Array(all.scalars[10..<12]))
    // Validation is measured in evaluation mode: the same number as evaluating afterwards.
    let record = trainer.history.records.last!
    #expect(trainer.evaluate(examples).loss == record.validationLoss!)
  }
}

@Suite("Optimizer and objective state")
struct StateTests {
  func toy(seed: UInt64) -> Examples {
    var rng = RandomSource(seed: seed)
    let x = Tensor.uniform([48, 8], in: 0...1, rng: &rng)
    return Examples(inputs: x, labels: (0..<48).map { x[$0, 1] > 0.5 ? 1 : 0 })
  }

  @Test("weights, optimizer state and history restored into a fresh trainer continue bit for bit")
  func resumeExactly() throws {
    func makeTrainer() -> (Model, Trainer) {
      let model = Autoencoder(inputSize: 8, encoderSizes: [5, 3], seed: 6)
      return (model, Trainer(objective: ReconstructionObjective(model: model, learningRate: 0.01),
                             training: toy(seed: 1), validation: toy(seed: 2), batchSize: 10, seed: 3))
    }
    let (model, trainer) = makeTrainer()
    trainer.fit(epochs: 2)
    let weights = model.store.snapshot(), state = trainer.objective.state, history = trainer.history
    trainer.fit(epochs: 2)
    let uninterrupted = trainer.history.records.map(\.trainLoss)

    let (fresh, resumed) = makeTrainer()
    fresh.store.restore(weights)
    try resumed.objective.restore(state)
    resumed.restore(history: history)
    resumed.fit(epochs: 2)
    #expect(resumed.history.records.map(\.trainLoss) == uninterrupted)
    #expect(fresh.store.values.isIdentical(to: model.store.values))
  }

  @Test("a checkpoint taken mid-fit resumes the fit, early stopping and all, bit for bit")
  func checkpointMidFit() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("kms-\(UUID().uuidString).kmsckpt").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let settings = TrainerSettings(learningRate: 0.01, batchSize: 10, seed: 3, options: PriorOptions(),
                                   dataClassCount: 2, trainingCount: 48, dataProvenance: "toy")
    let rule = EarlyStopping(monitor: .validationLoss, minDelta: 0, patience: 2)
    let model = Autoencoder(inputSize: 8, encoderSizes: [5, 3], seed: 6)
    let trainer = Trainer(objective: ReconstructionObjective(model: model, learningRate: 0.01),
                          training: toy(seed: 1), validation: toy(seed: 2), batchSize: 10, seed: 3)
    var writeError: Error?
    trainer.fit(epochs: 9, earlyStopping: rule, afterEpoch: {
      guard trainer.fitInProgress?.epochsDone == 3 else { return }
      do { try Checkpoint.write(trainer, model: model, settings: settings, to: path) } catch { writeError = error }
    })
    #expect(writeError == nil)
    let contents = try Checkpoint.read(from: path)
    #expect(contents.fit?.epochsDone == 3 && contents.history.records.count == 3)
    let resumed = try Checkpoint.makeTrainer(contents, training: toy(seed: 1), validation: toy(seed: 2))
    resumed.fit(epochs: 9, earlyStopping: rule, resuming: contents.fit)
    #expect(resumed.history.records.map(\.trainLoss) == trainer.history.records.map(\.trainLoss))
    #expect(resumed.history.bestEpoch == trainer.history.bestEpoch)
    #expect(contents.model.store.values.isIdentical(to: model.store.values))
  }

  @Test("a checkpoint keeps Adam's ε form, so PyTorch's form resumes bit for bit")
  func checkpointAdamForm() throws {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("kms-\(UUID().uuidString).kmsckpt").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let settings = TrainerSettings(learningRate: 0.01, batchSize: 10, seed: 3,
                                   options: PriorOptions(), dataClassCount: 2, trainingCount: 48,
                                   dataProvenance: "toy", adamEpsilon: .pytorch)
    func objective(_ model: Model, _ form: AdamEpsilon) -> ReconstructionObjective {
      ReconstructionObjective(model: model, learningRate: 0.01, adamEpsilon: form)
    }
    let model = Autoencoder(inputSize: 8, encoderSizes: [5, 3], seed: 6)
    let trainer = Trainer(objective: objective(model, .pytorch), training: toy(seed: 1),
                          batchSize: 10, seed: 3)
    trainer.fit(epochs: 2)
    try Checkpoint.write(trainer, model: model, settings: settings, to: path)
    let contents = try Checkpoint.read(from: path)
    #expect(contents.settings.adamEpsilon == .pytorch)
    let resumed = try Checkpoint.makeTrainer(contents, training: toy(seed: 1), validation: nil)
    trainer.fit(epochs: 2)
    resumed.fit(epochs: 2)
    #expect(resumed.history.records.map(\.trainLoss) == trainer.history.records.map(\.trainLoss))
    #expect(contents.model.store.values.isIdentical(to: model.store.values))
    // The same run in Keras's form takes other steps (the toy's gradients reach ε's size).
    let keras = Autoencoder(inputSize: 8, encoderSizes: [5, 3], seed: 6)
    Trainer(objective: objective(keras, .keras), training: toy(seed: 1), batchSize: 10, seed: 3)
      .fit(epochs: 4)
    #expect(!keras.store.values.isIdentical(to: model.store.values))
  }

  @Test("a prior objective's state holds every optimizer, the discriminator and the random state")
  func priorState() throws {
    let model = Autoencoder(inputSize: 8, encoderSizes: [6, 2], codeActivation: .linear, seed: 1)
    let penalty = PriorPenalty(prior: Prior(.swissRoll), divergence: .init(weight: 1, kernelSize: 5),
                               adversarial: true)
    let objective = PriorObjective(model: model, penalty: penalty, learningRate: 0.001, seed: 2)
    let trainer = Trainer(objective: objective, training: toy(seed: 3), batchSize: 12, seed: 4)
    trainer.fit(epochs: 1)
    let state = objective.state
    #expect(state.optimizers.map(\.name) == ["autoencoder", "discriminator", "encoder"])
    #expect(state.optimizers.allSatisfy { $0.step == 4 || $0.step == 8 })
    #expect(state.auxiliaryWeights.count == 1 && state.random != nil)
    // A state from another construction is refused with a message.
    let plain = ReconstructionObjective(model: model, learningRate: 0.001)
    #expect(throws: ObjectiveStateError.self) { try plain.restore(state) }
  }

  @Test("a random source's state round-trips through JSON and continues the same sequence")
  func randomState() throws {
    var rng = RandomSource(seed: 42)
    _ = rng.normal()  // leaves a cached spare
    let saved = try JSONDecoder().decode(RandomSource.self, from: try JSONEncoder().encode(rng))
    var copy = saved
    #expect(saved == rng)
    #expect((0..<5).map { _ in rng.normal() } == (0..<5).map { _ in copy.normal() })
  }
}

@Suite("Model file formats")
struct ModelFileFormatTests {
  func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("kms-\(UUID().uuidString)-\(name)").path
  }

  @Test("a format-1 file (kms 0.1: kind and sizes, no spec) still loads with its weights")
  func formatOne() throws {
    let original = Autoencoder(inputSize: 12, encoderSizes: [6, 2], codeActivation: .linear, seed: 5)
    // The 0.1 writer's header, as it wrote it.
    let entries = original.store.parameters.map { "{\"name\":\"\($0.name)\",\"shape\":\($0.shape.dimensions)}" }
    let header = "{\"format\":1,\"kind\":\"autoencoder\",\"inputSize\":12,\"encoderSizes\":[6,2],"
      + "\"codeActivation\":\"linear\",\"parameters\":[\(entries.joined(separator: ","))]}"
    var bytes = Data("KMSMODEL".utf8)
    withUnsafeBytes(of: UInt32(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
    bytes.append(Data(header.utf8))
    bytes.append(UnsafeBufferPointer(start: original.store.values.data, count: original.store.values.count))
    let path = temporaryPath("v1.kmsmodel")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try bytes.write(to: URL(fileURLWithPath: path))
    let loaded = try ModelFile.read(from: path)
    #expect(loaded.spec == original.spec)
    #expect(loaded.store.values.isIdentical(to: original.store.values))
  }

  @Test("a model with dropout saves its layer list and reloads bit-identically")
  func layerListRoundTrip() throws {
    let spec = ModelSpec(kind: .classifier, inputShape: [20],
                         layers: [.dense(units: 9, activation: .tanh), .dropout(rate: 0.3),
                                  .dense(units: 3, activation: .linear)])
    let model = try spec.makeModel(seed: 8)
    let path = temporaryPath("dropout.kmsmodel")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try ModelFile.write(model, to: path)
    let loaded = try ModelFile.read(from: path)
    #expect(loaded.spec == spec)
    var rng = RandomSource(seed: 1)
    let x = Tensor.uniform([4, 20], in: 0...1, rng: &rng)
    #expect(predict(loaded.network, inputShape: [20], inputs: x)
              .isIdentical(to: predict(model.network, inputShape: [20], inputs: x)))
  }

  @Test("a header whose layers would not fit in memory is refused before allocating")
  func hugeHeader() throws {
    let header = Data(("{\"spec\":{\"kind\":\"classifier\",\"inputShape\":[784],\"layers\":"
      + "[{\"dense\":{\"units\":100000000,\"activation\":\"linear\"}}]},\"tensors\":[]}").utf8)
    var bytes = Data("KMSMODEL".utf8)
    for value in [UInt32(2), UInt32(header.count)] {
      withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
    bytes.append(header)
    withUnsafeBytes(of: header.withUnsafeBytes { CRC32C.checksum($0) }.littleEndian) { bytes.append(contentsOf: $0) }
    let path = temporaryPath("huge.kmsmodel")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try bytes.write(to: URL(fileURLWithPath: path))
    let error = #expect(throws: ModelFileError.self) { try ModelFile.read(from: path) }
    #expect(error?.message.contains("units must be between 1 and 1,000,000") == true, "\(String(describing: error))")
  }

  @Test("CRC-32C matches the standard check value and continues across pieces")
  func crc32c() {
    let text = Array("123456789".utf8)
    text.withUnsafeBytes { #expect(CRC32C.checksum($0) == 0xE306_9283) }
    let whole = text.withUnsafeBytes { CRC32C.checksum($0) }
    let first = text[0..<4].withUnsafeBytes { CRC32C.checksum($0) }
    #expect(text[4...].withUnsafeBytes { CRC32C.checksum($0, continuing: first) } == whole)
  }
}

@Suite("Divergence")
struct DivergenceStopTests {
  @Test("a learning rate that makes training diverge stops it, names where, and keeps good weights")
  func stopsAndRollsBack() throws {
    // A linear-output autoencoder at a huge learning rate: its outputs, and the MSE, overflow.
    let spec = ModelSpec(kind: .autoencoder, inputShape: [6],
                         layers: [.dense(units: 16, activation: .relu), .dense(units: 16, activation: .relu)],
                         decoder: [.dense(units: 16, activation: .relu), .dense(units: 6, activation: .linear)])
    let model = try spec.makeModel(seed: 1)
    var rng = RandomSource(seed: 2)
    let examples = Examples(inputs: Tensor.uniform([40, 6], in: 0...1, rng: &rng))
    let trainer = Trainer(objective: ReconstructionObjective(model: model, learningRate: 1e6),
                          training: examples, validation: examples, batchSize: 4, seed: 3)
    let reason = trainer.fit(epochs: 50)
    guard case .diverged(let divergence) = reason else {
      Issue.record("training did not diverge: \(reason)")
      return
    }
    #expect(divergence.epoch >= 1 && divergence.batch >= 1 && !divergence.loss.isFinite)
    #expect(divergence.description.contains("at epoch \(divergence.epoch), batch \(divergence.batch)"))
    // Whatever the rollback, the model's weights are finite and it still runs.
    let values = model.store.values
    #expect((0..<values.count).allSatisfy { values.data[$0].isFinite })
    #expect(trainer.history.records.count == divergence.epoch - 1)
    // Here the outputs stay finite and the squared error overflows: the message says so.
    #expect(divergence.layer == nil && !divergence.rolledBackToEpochStart)
    #expect(divergence.description.hasSuffix(
      "(every layer's output is finite: the loss itself overflowed); the model keeps the weights from before that batch"),
      "\(divergence.description)")
  }

  @Test("a NaN in the data is found at the first layer whose output it reaches")
  func nanInput() throws {
    let model = Classifier(inputSize: 5, hiddenSizes: [4], classCount: 2, seed: 1)
    var rng = RandomSource(seed: 2)
    let x = Tensor.uniform([12, 5], in: 0...1, rng: &rng)
    x[37] = .nan  // row 7
    let before = model.store.snapshot()
    let trainer = Trainer(objective: ClassificationObjective(model: model, learningRate: 0.01),
                          training: Examples(inputs: x, labels: (0..<12).map { Int32($0 % 2) }),
                          batchSize: 12, seed: 0)
    guard case .diverged(let divergence) = trainer.step() else {
      Issue.record("a NaN input did not stop training")
      return
    }
    #expect(divergence.layer == "layer 1, Dense(5 → 4)")
    #expect(model.store.values.isIdentical(to: before))  // nothing of the bad batch was applied
  }
}
