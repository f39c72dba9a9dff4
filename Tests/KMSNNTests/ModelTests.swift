import Foundation
import KMSNN
import KMSTensor
import KMSTestSupport
import Testing

@Suite("Models and optimizer")
struct ModelTests {
  @Test("the paper's SAE has 2,077,809 parameters and its MLP 47,210")
  func parameterCounts() {
    let sae = Autoencoder(inputSize: 784, encoderSizes: [800, 400, 225])
    #expect(sae.parameterCount == 2_077_809)
    #expect(sae.kindDescription == "autoencoder 784-800-400-225-400-800-784")
    #expect(sae.encoder.parameterCount == 628_000 + 320_400 + 90_225)
    let mlp = Classifier(inputSize: 225, hiddenSizes: [200], classCount: 10)
    #expect(mlp.parameterCount == 47_210)
    // The paper's 2,125,019 is the SAE and the MLP together.
    #expect(sae.parameterCount + mlp.parameterCount == 2_125_019)
  }

  @Test("encoder and decoder are separately callable and compose to the whole network")
  func subModels() {
    let model = Autoencoder(inputSize: 6, encoderSizes: [4, 2], seed: 1)
    var rng = RandomSource(seed: 2)
    let x = Tensor.uniform([3, 6], in: 0...1, rng: &rng)
    let code = model.encoder.forward(x).copy()
    #expect(code.shape == [3, 2])
    let viaParts = model.decoder.forward(code).copy()
    let whole = model(x)
    #expect(whole.isIdentical(to: viaParts))
    #expect((0..<whole.count).allSatisfy { whole[$0] > 0 && whole[$0] < 1 })  // sigmoid output
  }

  @Test("Glorot-uniform weights stay within ±√(6/(in+out)) and biases start at zero")
  func initialisation() {
    var rng = RandomSource(seed: 3)
    let layer = Dense(inputSize: 784, outputSize: 800, rng: &rng)
    let limit = (6.0 / 1584).squareRoot()
    #expect(Double(layer.weight.value.maxAbsolute()) <= limit)
    #expect(Double(layer.weight.value.maxAbsolute()) > 0.95 * limit)
    #expect(layer.bias.value.maxAbsolute() == 0)
  }

  @Test("one Adam step matches hand-computed numbers")
  func adamStep() {
    let w = Parameter(name: "w", value: Tensor(shape: [2], scalars: [1, -1]))
    let adam = Adam(parameters: [w], learningRate: 0.1)
    w.gradient.assign(Tensor(shape: [2], scalars: [0.5, -2]))
    adam.update()
    // Step 1: m = 0.1g, v = 0.001g², α = 0.1·√0.001/0.1 = 0.031623;
    // w −= α·m/(√v + ε) = 0.1 · sign(g) (up to ε).
    expectClose(w.value.scalars, [0.9, -0.9], relativeTolerance: 1e-5)
    w.gradient.assign(Tensor(shape: [2], scalars: [0.5, -2]))
    adam.update()
    // Step 2 with the same gradient: m = 0.19g, v = 0.001999g², α = 0.1·√0.001999/0.19;
    // the step is again 0.1 · sign(g).
    expectClose(w.value.scalars, [0.8, -0.8], relativeTolerance: 1e-5)
  }

  @Test("Adam's two ε forms match PyTorch's Adam and Keras's formula where gradients are small")
  func adamEpsilonForms() {
    // Three steps from w₀ with gradients near ε (1e-6) and far from it. The expected weights
    // are computed outside kms in float64: `torch.optim.Adam([w], lr=0.001, eps=1e-7)` for
    // PyTorch's form, and w −= lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m/(√v + ε) in numpy for Keras's. The two
    // forms differ by up to 0.7·lr on the small gradients, far beyond float32 rounding.
    let gradients: [[Float]] = [[1e-6, -3e-6, 2e-4, 0.5], [2e-6, -1e-6, -1e-4, 0.25],
                                [-1e-6, 4e-6, 3e-4, -0.5]]
    let expected: [AdamEpsilon: [Double]] = [
      .pytorch: [0.497790785, -0.248279700, 0.123099305, 1.997957038],
      .keras: [0.499176665, -0.249129553, 0.123122950, 1.997957049],
    ]
    for (form, weights) in expected {
      let w = Parameter(name: "w", value: Tensor(shape: [4], scalars: [0.5, -0.25, 0.125, 2]))
      let adam = Adam(parameters: [w], learningRate: 0.001, epsilonForm: form)
      for g in gradients {
        w.gradient.assign(Tensor(shape: [4], scalars: g))
        adam.update()
      }
      for (got, want) in zip(w.value.scalars, weights) {
        #expect(abs(Double(got) - want) < 2e-7, "\(form): \(w.value.scalars) against \(weights)")
      }
    }
  }

  @Test("separate optimizers update only their own group")
  func groups() {
    let model = Autoencoder(inputSize: 6, encoderSizes: [4, 2], seed: 1)
    let encoderOnly = Adam(name: "encoder", parameters: model.encoder.parameters, learningRate: 0.01)
    let before = model.store.snapshot()
    model.store.gradients.fill(with: 1)
    encoderOnly.update()
    let encoderCount = model.encoder.parameterCount
    let after = model.store.values
    #expect((0..<encoderCount).allSatisfy { after[$0] != before[$0] })
    #expect((encoderCount..<after.count).allSatisfy { after[$0] == before[$0] })
  }

  @Test("the parameter store zeroes, snapshots and restores all parameters at once")
  func store() {
    let model = Classifier(inputSize: 4, hiddenSizes: [3], classCount: 2, seed: 1)
    let snapshot = model.store.snapshot()
    model.store.values.fill(with: 7)
    #expect(model.store.parameters[0].value[0] == 7)
    model.store.restore(snapshot)
    #expect(model.store.values.isIdentical(to: snapshot))
    model.store.gradients.fill(with: 1)
    model.store.zeroGradients()
    #expect(model.store.parameters.allSatisfy { $0.gradient.maxAbsolute() == 0 })
  }

  @Test("a confusion matrix counts true rows against predicted columns")
  func confusion() {
    let matrix = ConfusionMatrix(predicted: [0, 1, 1, 2, 2, 2], labels: [0, 1, 2, 2, 2, 0],
                                 classCount: 3)
    #expect(matrix.counts == [[1, 0, 1], [0, 1, 0], [0, 1, 2]])
    #expect(abs(matrix.accuracy - 4.0 / 6) < 1e-12)
    #expect(matrix.perClassAccuracy == [0.5, 1, 2.0 / 3])
    #expect(accuracy(predicted: [1, 2], labels: [1, 0]) == 0.5)
  }
}

@Suite("Model files")
struct ModelFileTests {
  func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("kms-\(UUID().uuidString)-\(name)").path
  }

  @Test("a saved model reloads with identical outputs", arguments: [true, false])
  func roundTrip(autoencoder: Bool) throws {
    let model: Model = autoencoder
      ? Autoencoder(inputSize: 20, encoderSizes: [8, 2], codeActivation: .linear, seed: 3)
      : Classifier(inputSize: 20, hiddenSizes: [7], classCount: 4, seed: 3)
    let path = temporaryPath("model.kmsmodel")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try ModelFile.write(model, to: path)
    let loaded = try ModelFile.read(from: path)
    #expect(loaded.kindDescription == model.kindDescription)
    var rng = RandomSource(seed: 9)
    let x = Tensor.uniform([5, 20], in: 0...1, rng: &rng)
    #expect(loaded(x).copy().isIdentical(to: model(x).copy()))
  }

  @Test("missing, foreign and truncated files give clear errors")
  func badFiles() throws {
    #expect(throws: ModelFileError.self) { try ModelFile.read(from: "/nonexistent/model.kmsmodel") }
    let path = temporaryPath("bad.kmsmodel")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Data("hello, not a model".utf8).write(to: URL(fileURLWithPath: path))
    let foreign = #expect(throws: ModelFileError.self) { try ModelFile.read(from: path) }
    #expect(foreign?.message.contains("not a kms model") == true)
    try ModelFile.write(Classifier(inputSize: 4, hiddenSizes: [3], classCount: 2), to: path)
    let whole = try Data(contentsOf: URL(fileURLWithPath: path))
    try whole.prefix(whole.count - 4).write(to: URL(fileURLWithPath: path))
    let truncated = #expect(throws: ModelFileError.self) { try ModelFile.read(from: path) }
    #expect(truncated?.message.contains("is truncated: its tensors need") == true)
    // One flipped bit in a weight names the tensor; one in the header says so.
    var flipped = whole
    flipped[whole.count - 1] ^= 0x01
    try flipped.write(to: URL(fileURLWithPath: path))
    let damaged = #expect(throws: ModelFileError.self) { try ModelFile.read(from: path) }
    #expect(damaged?.message.hasPrefix("tensor 'dense2.bias' fails its checksum") == true)
    var header = whole
    header[20] ^= 0x01
    try header.write(to: URL(fileURLWithPath: path))
    let badHeader = #expect(throws: ModelFileError.self) { try ModelFile.read(from: path) }
    #expect(badHeader?.message.contains("header fails its checksum") == true)
    #expect(throws: ModelFileError.self) { try ModelFile.read(from: NSTemporaryDirectory()) }
  }

  @Test("writing into a missing folder fails without leaving a file")
  func unwritable() {
    #expect(throws: ModelFileError.self) {
      try ModelFile.write(Classifier(inputSize: 4, hiddenSizes: [], classCount: 2),
                          to: "/nonexistent-folder/model.kmsmodel")
    }
  }
}

@Suite("Updating during backward")
struct FusedUpdateTests {
  @Test("updating each layer as its backward finishes equals one update after backward")
  func sameAsSeparateUpdate() {
    func trainedWeights(fused: Bool) -> Tensor {
      let model = Autoencoder(inputSize: 12, encoderSizes: [8, 3], seed: 5)
      let adam = Adam(parameters: model.store.parameters, learningRate: 0.01)
      var rng = RandomSource(seed: 6)
      let x = Tensor.uniform([4, 12], in: 0...1, rng: &rng)
      for _ in 0..<3 {
        model.store.zeroGradients()
        let (_, dLoss) = meanSquaredError(predicted: model.network.forward(x), target: x)
        if fused {
          adam.beginStep()
          _ = model.network.backward(dLoss) { layer in layer.parameters.forEach(adam.update) }
        } else {
          _ = model.network.backward(dLoss)
          adam.update()
        }
      }
      return model.store.values.copy()
    }
    #expect(trainedWeights(fused: true).isIdentical(to: trainedWeights(fused: false)))
  }
}
