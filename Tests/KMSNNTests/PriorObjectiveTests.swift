import Foundation
import KMSData
import KMSNN
import KMSTensor
import Testing

/// Part B's objectives on the shipped sample: a 784-128-2 autoencoder with a linear code, pushed
/// toward the 2-D swiss roll.
@Suite("Pushing codes toward a prior")
struct PriorObjectiveTests {
  let swissRoll = Prior(.swissRoll)

  func autoencoder() -> Autoencoder {
    Autoencoder(inputSize: 784, encoderSizes: [128, 2], codeActivation: .linear, seed: 3)
  }

  /// 1,000 training images (100 per class) keep each run to seconds in a debug build.
  static let trainingSet = try! Sample.splits.train.subset(perClass: 100, seed: 1)

  func trainer(_ objective: Objective, batch: Int = 100) -> Trainer {
    Trainer(objective: objective, training: Sample.examples(Self.trainingSet),
            validation: Sample.examples(Sample.splits.validation), batchSize: batch, seed: 5)
  }

  /// The paper's CSD between the validation codes and a fixed 300-point prior sample (s = 5).
  func divergenceFromPrior(_ model: Autoencoder) throws -> Float {
    let codes = model.encoder.forward(Sample.splits.validation.features)
    var rng = RandomSource(seed: 99)
    let sample = swissRoll.sample(count: codes.shape[0], rng: &rng).points
    return try divergence(codes: codes, prior: sample, kernelSize: 5).value
  }

  /// The share of validation codes within the roll's radius (3) plus a margin.
  func insideRoll(_ model: Autoencoder) -> Double {
    let codes = model.encoder.forward(Sample.splits.validation.features)
    let inside = (0..<codes.shape[0]).filter { row in
      let (x, y) = (codes[row, 0], codes[row, 1])
      return x * x + y * y <= 3.5 * 3.5
    }
    return Double(inside.count) / Double(codes.shape[0])
  }

  @Test("with λ = 0 the divergence objective trains exactly as plain reconstruction")
  func zeroWeightIsReconstruction() {
    let plain = autoencoder(), penalised = autoencoder()
    trainer(ReconstructionObjective(model: plain, learningRate: 0.002)).fit(epochs: 1)
    let penalty = PriorPenalty(prior: swissRoll, divergence: .init(weight: 0, kernelSize: 5))
    trainer(PriorObjective(model: penalised, penalty: penalty, learningRate: 0.002)).fit(epochs: 1)
    #expect(plain.store.values.isIdentical(to: penalised.store.values))
  }

  @Test("the CSD penalty pulls the codes toward the swiss roll")
  func divergencePullsCodes() throws {
    let plain = autoencoder(), penalised = autoencoder()
    trainer(ReconstructionObjective(model: plain, learningRate: 0.004)).fit(epochs: 3)
    let penalty = PriorPenalty(prior: swissRoll, divergence: .init(weight: 32, kernelSize: 5))
    let objective = PriorObjective(model: penalised, penalty: penalty, learningRate: 0.004)
    let training = trainer(objective)
    training.fit(epochs: 3)
    let (before, after) = (try divergenceFromPrior(plain), try divergenceFromPrior(penalised))
    // Measured: 2.89 without the penalty, 0.093 with it.
    #expect(after < 0.1 * before, "CSD to the prior: plain \(before), penalised \(after)")
    #expect(objective.lastTerms.divergence.isFinite && objective.lastTerms.discriminator.isNaN)
    #expect(training.history.records.allSatisfy { $0.trainLoss.isFinite })
  }

  @Test("a discriminator pulls the codes toward the swiss roll, through the encoder alone")
  func adversaryPullsCodes() throws {
    let plain = autoencoder(), adversarial = autoencoder()
    trainer(ReconstructionObjective(model: plain, learningRate: 0.005)).fit(epochs: 3)
    let objective = PriorObjective(
      model: adversarial, penalty: PriorPenalty(prior: swissRoll, adversarial: true),
      learningRate: 0.005)
    // The encoder's own optimizer owns exactly the encoder's parameters.
    #expect(objective.encoderOptimizer!.parameters.map(ObjectIdentifier.init)
      == adversarial.encoder.parameters.map(ObjectIdentifier.init))
    #expect(objective.discriminatorOptimizer!.learningRate == 0.005 / 5)
    #expect(objective.discriminator!.parameterCount == 3 * 400 + 401 * 800 + 801)
    trainer(objective).fit(epochs: 3)
    let (before, after) = (try divergenceFromPrior(plain), try divergenceFromPrior(adversarial))
    // Measured: CSD 2.10 without the discriminator, 0.205 with it; 3.7% and 100% of the codes
    // inside the roll's radius.
    #expect(after < 0.2 * before, "CSD to the prior: plain \(before), adversarial \(after)")
    #expect(insideRoll(adversarial) > 0.9 && insideRoll(plain) < 0.5)
    #expect(objective.lastTerms.discriminator.isFinite && objective.lastTerms.adversary.isFinite)
  }

  @Test("a label-conditioned discriminator sees the code and the one-hot label")
  func conditionedAdversary() throws {
    let model = autoencoder()
    let objective = PriorObjective(
      model: model, penalty: PriorPenalty(prior: swissRoll, adversarial: true, conditioned: true),
      learningRate: 0.001)
    #expect(objective.needsLabels)
    #expect(objective.discriminator!.parameterCount == (2 + 10) * 400 + 400 + 401 * 800 + 801)
    let training = trainer(objective)
    training.fit(epochs: 1)
    #expect(objective.lastTerms.discriminator.isFinite && objective.lastTerms.adversary.isFinite)
    #expect(training.history.records[0].trainLoss.isFinite)
  }
}
