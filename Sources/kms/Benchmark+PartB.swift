import Foundation
import KMSNN
import KMSTensor

/// `kms bench`'s Part B rows: one epoch of the paper's 784-800-400-2 linear-code autoencoder on
/// 54,000 synthetic samples at batch 1000, for plain reconstruction, the CSD penalty (λ 32,
/// s 5), the label-conditioned discriminator, and both; the CSD's share on top of the plain
/// epoch (its O(N²·d) kernels at N = 1000 should cost at most 20%).
/// - Parameter isQuick: 5,400 samples (a smoke run, not a measurement).
func runPartBBenchmark(isQuick: Bool) {
  func row(_ name: String, _ value: String) {
    print(name.padding(toLength: 52, withPad: " ", startingAt: 0) + value)
  }
  let samples = isQuick ? 5_400 : 54_000
  var rng = RandomSource(seed: 8)
  let inputs = Tensor.uniform([samples, 784], in: 0...1, rng: &rng)
  let labels = (0..<samples).map { _ in Int32(rng.int(below: 10)) }
  let roll = Prior(.swissRoll)
  let csd = PriorPenalty.DivergenceTerm(weight: 32, kernelSize: 5)
  let kinds: [(name: String, penalty: PriorPenalty?)] = [
    ("plain reconstruction", nil),
    ("CSD (λ 32, s 5)", PriorPenalty(prior: roll, divergence: csd)),
    ("discriminator, conditioned", PriorPenalty(prior: roll, adversarial: true, conditioned: true)),
    ("CSD + discriminator, conditioned",
     PriorPenalty(prior: roll, divergence: csd, adversarial: true, conditioned: true)),
  ]
  print("Part B: autoencoder 784-800-400-2-400-800-784 (linear code), batch 1000, \(samples) "
        + "synthetic samples: 1 warm-up epoch, then the second")
  var seconds: [Double] = []
  for kind in kinds {
    let model = Autoencoder(inputSize: 784, encoderSizes: [800, 400, 2], codeActivation: .linear,
                            seed: 1)
    let objective: Objective = kind.penalty.map {
      PriorObjective(model: model, penalty: $0, learningRate: 0.001)
    } ?? ReconstructionObjective(model: model, learningRate: 0.001)
    let trainer = Trainer(objective: objective, training: Examples(inputs: inputs, labels: labels),
                          batchSize: 1000, seed: 3)
    var last = 0.0
    for _ in 0..<2 {
      guard case .completed(let record) = trainer.step() else { break }
      last = record.seconds
    }
    seconds.append(last)
    row("  epoch: \(kind.name)", String(format: "%7.2f s", last))
  }
  row("CSD's cost on top of the plain epoch (target ≤ 20%)",
      String(format: "%6.1f %%", 100 * (seconds[1] / seconds[0] - 1)))
}
