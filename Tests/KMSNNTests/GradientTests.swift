import KMSNN
import KMSTensor
import KMSTestSupport
import Testing

@Suite("Gradients agree with central differences")
struct GradientTests {
  @Test("Dense backward", arguments: [(1, 3, 2), (8, 20, 16)])
  func dense(batch: Int, inputSize: Int, outputSize: Int) {
    var rng = RandomSource(seed: 1)
    let layer = Dense(inputSize: inputSize, outputSize: outputSize, rng: &rng)
    layer.bias.value.assign(.uniform([outputSize], in: -1...1, rng: &rng))
    let x = Tensor.uniform([batch, inputSize], in: -1...1, rng: &rng)
    let check = gradientCheck(layer, at: x)
    #expect(check.maxRelativeError < 1e-2, "\(check)")
  }

  @Test("activation backward", arguments: [ActivationKind.relu, .sigmoid, .tanh, .linear])
  func activation(kind: ActivationKind) {
    var rng = RandomSource(seed: 2)
    // Keep inputs away from ReLU's kink, where the derivative is undefined.
    let x = Tensor.uniform([4, 9], in: 0.1...2, rng: &rng)
    for i in stride(from: 0, to: x.count, by: 2) { x[i] = -x[i] }
    let check = gradientCheck(Activation(kind), at: x, h: 1e-3)
    #expect(check.maxRelativeError < 1e-2, "\(check)")
  }

  @Test("a whole autoencoder's input and parameter gradients")
  func autoencoder() {
    let model = Autoencoder(inputSize: 12, encoderSizes: [8, 3], codeActivation: .linear, seed: 4)
    model.network.needsInputGradient = true
    model.encoder.needsInputGradient = true
    var rng = RandomSource(seed: 3)
    let x = Tensor.uniform([5, 12], in: 0...1, rng: &rng)
    let check = gradientCheck(model.network, at: x, h: 1e-2)
    #expect(check.maxRelativeError < 2e-2, "\(check)")
  }

  @Test("mean squared error")
  func meanSquared() {
    var rng = RandomSource(seed: 5)
    let target = Tensor.uniform([3, 4], in: 0...1, rng: &rng)
    let check = lossGradientCheck(at: .uniform([3, 4], in: 0...1, rng: &rng)) {
      meanSquaredError(predicted: $0, target: target, gradient: $1)
    }
    #expect(check.maxRelativeError < 1e-2, "\(check)")
  }

  @Test("softmax cross-entropy on integer labels")
  func softmax() {
    var rng = RandomSource(seed: 6)
    let labels: [Int32] = [0, 3, 2, 1]
    let check = lossGradientCheck(at: .uniform([4, 5], in: -3...3, rng: &rng)) {
      softmaxCrossEntropy(logits: $0, labels: labels, gradient: $1)
    }
    #expect(check.maxRelativeError < 1e-2, "\(check)")
  }

  @Test("sigmoid cross-entropy with logits")
  func sigmoidCE() {
    var rng = RandomSource(seed: 7)
    let targets = Tensor(shape: [6, 1], scalars: [1, 0, 1, 0, 1, 0])
    let check = lossGradientCheck(at: .uniform([6, 1], in: -4...4, rng: &rng)) {
      sigmoidCrossEntropy(logits: $0, targets: targets, gradient: $1)
    }
    #expect(check.maxRelativeError < 1e-2, "\(check)")
  }
}

@Suite("Losses")
struct LossTests {
  @Test("MSE, softmax and sigmoid cross-entropy match hand-computed values")
  func handValues() {
    let gradient = Tensor(shape: [1, 2])
    let mse = meanSquaredError(predicted: Tensor(shape: [1, 2], scalars: [1, 3]),
                               target: Tensor(shape: [1, 2], scalars: [0, 1]), gradient: gradient)
    #expect(mse == 2.5)                    // (1 + 4) / 2
    #expect(gradient.scalars == [1, 2])    // 2(p − t)/2
    // Equal logits: loss log 2, gradient (½ − 1, ½) for label 0.
    let ce = softmaxCrossEntropy(logits: Tensor(shape: [1, 2], scalars: [5, 5]), labels: [0],
                                 gradient: gradient)
    #expect(abs(ce - 0.693_147) < 1e-5)
    #expect(gradient.scalars == [-0.5, 0.5])
    // Logit 0 with target 1: log 2; very large logits do not overflow.
    let bce = sigmoidCrossEntropy(logits: Tensor(shape: [2], scalars: [0, 1000]),
                                  targets: Tensor(shape: [2], scalars: [1, 0]),
                                  gradient: Tensor(shape: [2]))
    #expect(abs(bce - (0.693_147 + 1000) / 2) < 1e-3)
    let huge = softmaxCrossEntropy(logits: Tensor(shape: [1, 2], scalars: [1e4, -1e4]),
                                   labels: [1], gradient: gradient)
    #expect(huge.isFinite && abs(huge - 2e4) < 1)
  }
}
