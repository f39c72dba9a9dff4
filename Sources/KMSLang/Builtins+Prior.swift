import Foundation
import KMSData
import KMSNN
import KMSTensor

// Part B bindings: prior samples, how well codes follow a prior (prior_fit), and classification
// straight from a 10-D code (classify_latent).

/// How well codes follow a prior: CSD to a prior sample, share on the prior's support, purity.
public final class PriorFitObject: HostObject {
  /// The library measures.
  public let fit: PriorFit
  /// The prior's name, e.g. `swiss_roll`.
  public let priorName: String
  /// Which data the codes came from.
  public let provenance: String

  init(_ fit: PriorFit, priorName: String, provenance: String) {
    (self.fit, self.priorName, self.provenance) = (fit, priorName, provenance)
  }

  /// `csd 0.0123 (prior vs prior 0.0049), support 97.1%, purity 81.2%`.
  public var summary: String {
    String(format: "csd %.4f (prior vs prior %.4f), support %.1f%%", fit.divergence,
           fit.baselineDivergence, 100 * fit.support)
      + (fit.purity.map { String(format: ", purity %.1f%%", 100 * $0) } ?? "")
  }

  /// The summary with what each number means.
  public var description: String {
    var lines = [
      "fit of \(grouped(fit.count)) codes to the \(priorName) prior",
      String(format: "  csd      %.4f  (s %g, %d codes against as many prior samples; two prior "
               + "samples: %.4f)", fit.divergence, fit.kernelSize, fit.divergenceCount,
             fit.baselineDivergence),
      String(format: "  support  %.1f%%  of the codes on the prior's support", 100 * fit.support),
    ]
    if let purity = fit.purity {
      lines.append(String(format: "  purity   %.1f%%  in their own class's region (chance %.0f%%)",
                          100 * purity, 100 / 10.0))
    }
    lines.append("data: \(provenance)")
    return lines.joined(separator: "\n")
  }

  /// The kms type `prior_fit`.
  public static let hostType = HostType(
    name: "prior_fit", summary: "how well codes follow a prior: csd, support, purity",
    attributes: [
      .attribute("csd", of: PriorFitObject.self, summary: "CSD between the codes and a prior sample") {
        .number(Double($0.fit.divergence))
      },
      .attribute("baseline", of: PriorFitObject.self,
                 summary: "CSD between two prior samples of the same size (a perfect fit's level)") {
        .number(Double($0.fit.baselineDivergence))
      },
      .attribute("support", of: PriorFitObject.self, summary: "share of codes on the prior's support") {
        .number($0.fit.support)
      },
      .attribute("purity", of: PriorFitObject.self,
                 summary: "share of codes in their own class's region (segment purity on the roll)") {
        $0.fit.purity.map(Value.number) ?? .none
      },
      .attribute("count", of: PriorFitObject.self, summary: "codes measured") {
        .number(Double($0.fit.count))
      },
      .attribute("summary", of: PriorFitObject.self, summary: "the measures on one line") {
        .string($0.summary)
      },
    ])
}

/// Classification straight from a 10-D code: raw and relabelled accuracy and both confusions.
public final class LatentObject: HostObject {
  /// The library result.
  public let result: LatentClassification
  /// The class names, by label.
  public let classNames: [String]
  /// The raw and the relabelled results as evaluations (`confusion(…)` draws either).
  public let raw: EvaluationObject, relabelled: EvaluationObject

  init(_ result: LatentClassification, classNames: [String], losses: (Double, Double),
       provenance: String) {
    self.result = result
    self.classNames = classNames
    raw = EvaluationObject(confusion: result.raw, classNames: classNames, loss: losses.0,
                           provenance: "raw code dimensions of \(provenance)")
    relabelled = EvaluationObject(confusion: result.relabelled, classNames: classNames,
                                  loss: losses.1, provenance: "relabelled code dimensions of \(provenance)")
  }

  private var names: [String] {
    classNames.count == result.raw.classCount ? classNames : (0..<result.raw.classCount).map(String.init)
  }

  /// `raw 21.9%, relabelled 29.5%`.
  public var summary: String {
    String(format: "latent accuracy raw %.1f%%, relabelled %.1f%%", 100 * result.rawAccuracy,
           100 * result.relabelledAccuracy)
  }

  /// The summary, the mapping, then the relabelled confusion matrix.
  public var description: String {
    let mapping = result.relabelling.classOfPrediction.enumerated().map { dimension, label in
      "\(dimension)→\(label.map { names[$0] } ?? "-")"
    }
    return [summary, "mapping (code dimension → class): " + mapping.joined(separator: " "),
            relabelled.description].joined(separator: "\n")
  }

  /// The kms type `latent`.
  public static let hostType = HostType(
    name: "latent", summary: "classification by the argmax of a code: raw and relabelled",
    attributes: [
      .attribute("accuracy", of: LatentObject.self, summary: "raw: dimension j read as class j") {
        .number($0.result.rawAccuracy)
      },
      .attribute("relabelled_accuracy", of: LatentObject.self,
                 summary: "under the best one-to-one relabelling of dimensions to classes") {
        .number($0.result.relabelledAccuracy)
      },
      .attribute("mapping", of: LatentObject.self, summary: "the class each code dimension stands for") {
        .list($0.result.relabelling.classOfPrediction.map { $0.map { .number(Double($0)) } ?? .none })
      },
      .attribute("raw", of: LatentObject.self, summary: "the raw evaluation (confusion(l.raw) draws it)") {
        .host($0.raw)
      },
      .attribute("relabelled", of: LatentObject.self, summary: "the relabelled evaluation") {
        .host($0.relabelled)
      },
      .attribute("summary", of: LatentObject.self, summary: "both accuracies on one line") {
        .string($0.summary)
      },
    ])
}

/// The prior a name and options describe, for `prior`, `prior_fit` and `trainer(prior:)`.
/// - Parameters:
///   - name: a `Prior.Kind` raw value.
///   - classCount: classes (one-hot dimensions).
///   - noise: Gaussian noise deviation.
///   - dimension: the Gaussian's dimension.
func namedPrior(_ name: String, classCount: Int, noise: Double = 0, dimension: Int = 2,
                _ arguments: Arguments, argument: String) throws(RuntimeError) -> Prior {
  guard let kind = Prior.Kind(rawValue: name) else {
    throw arguments.error("unknown prior \(Value.string(name).repr)",
                          help: "use " + Prior.Kind.allCases.map { "\"\($0.rawValue)\"" }
                            .joined(separator: ", "))
  }
  guard kind != .gaussian || (2...10_000).contains(dimension) else {
    throw arguments.error("a Gaussian prior needs 2 to 10,000 dimensions, got \(dimension)")
  }
  return Prior(kind, classCount: max(classCount, 2), noise: Float(noise), dimension: dimension)
}

/// The codes of `dataset` under the encoder a `prior_fit` or `classify_latent` call names (a whole
/// autoencoder stands for its encoder).
private func codes(_ arguments: Arguments) throws(RuntimeError) -> (codes: Tensor, dataset: Dataset) {
  var model = try arguments.host("encoder", as: ModelObject.self)
  if model.isWhole, let encoder = model.encoderPart { model = encoder }
  if case .host(let object) = arguments["dataset"], object is SplitsObject {
    throw arguments.error("this needs one dataset, not a whole data value",
                          help: "pick one, e.g. data.test")
  }
  let dataset = try arguments.dataset("dataset", for: model)
  return (model.predict(dataset.features), dataset)
}

extension BuiltinRegistry {
  /// Registers `prior`, `prior_fit` and `classify_latent` and their host types.
  public func registerPrior() {
    register(PriorFitObject.hostType)
    register(LatentObject.hostType)
    register(
      Builtin(
        "prior",
        parameters: [.required("kind", .string).choosing(Prior.Kind.self, named: "prior"),
                     .keyword("count", .integer, default: .number(1000)),
                     .keyword("labels", .optional(.host("dataset")), default: .none),
                     .keyword("noise", .number, default: .number(0)),
                     .keyword("dim", .integer, default: .number(2)),
                     .keyword("seed", .integer, default: .number(0))],
        summary: "samples of a code prior as a dataset: \"swiss_roll\", \"swiss_roll_3d\", "
          + "\"gaussian_mixture\", \"gaussian\" (dim: D) or \"one_hot\" (10-D)",
        example: "roll = prior(\"swiss_roll\", count: 2000)"
      ) { arguments in
        let name = try arguments.string("kind")
        let noise = try arguments.number("noise")
        try arguments.require("noise", noise >= 0 && noise <= 100, "between 0 and 100")
        let dimension = try arguments.integer("dim", atLeast: 2)
        let seed = try arguments.integer("seed", atLeast: 0)
        var rng = RandomSource(seed: UInt64(seed))
        var classNames = KMNIST.classNames
        let points: Tensor, labels: [Int32], how: String
        if case .host = arguments["labels"] {
          // Conditioned on true labels: one sample per example, from its own class's region.
          let data = try arguments.host("labels", as: DatasetObject.self).dataset
          classNames = data.classNames
          let prior = try namedPrior(name, classCount: data.classCount, noise: noise,
                                     dimension: dimension, arguments, argument: "kind")
          (points, labels) = (prior.sample(labels: data.labels, rng: &rng), data.labels)
          how = "conditioned on the labels of \(data.name)"
        } else {
          let count = try arguments.integer("count", atLeast: 1)
          try arguments.require("count", count <= 10_000_000, "at most 10,000,000")
          let prior = try namedPrior(name, classCount: classNames.count, noise: noise,
                                     dimension: dimension, arguments, argument: "kind")
          (points, labels) = prior.sample(count: count, rng: &rng)
          how = "\(grouped(count)) samples with uniformly random classes"
        }
        let noiseText = noise > 0 ? ", Gaussian noise σ \(Value.format(noise))" : ""
        return .host(DatasetObject(Dataset(
          codes: points, labels: labels, classNames: classNames,
          provenance: "\(name) prior, \(how)\(noiseText), seed \(seed)", name: "\(name)-prior")))
      })
    register(
      Builtin(
        "prior_fit",
        parameters: [.required("encoder", .host("model")),
                     .required("dataset", .oneOf([.host("dataset"), .host("data")])),
                     .required("prior", .string).choosing(Prior.Kind.self),
                     .keyword("kernel", .number, default: .number(5)),
                     .keyword("noise", .number, default: .number(0)),
                     .keyword("seed", .integer, default: .number(0))],
        summary: "how well an encoder's codes of a dataset follow a prior: csd, support, purity",
        example: "prior_fit(ae.encoder, data.test, \"swiss_roll\")"
      ) { arguments in
        let (codes, dataset) = try codes(arguments)
        let kernel = try arguments.positive("kernel")
        try arguments.require("kernel", kernel <= 1_000_000, "at most 1,000,000")
        let noise = try arguments.number("noise")
        try arguments.require("noise", noise >= 0 && noise <= 100, "between 0 and 100")
        let name = try arguments.string("prior")
        let prior = try namedPrior(name, classCount: dataset.classCount, noise: noise,
                                   dimension: codes.shape[1], arguments, argument: "prior")
        guard codes.shape[1] == prior.dimension else {
          throw arguments.error(
            "the \(name) prior is \(prior.dimension)-D but the codes are \(codes.shape[1])-D",
            help: "measure an encoder whose code is \(prior.dimension)-D")
        }
        guard dataset.count >= 2 else {
          throw arguments.error("prior_fit needs at least 2 examples, '\(dataset.name)' has \(dataset.count)")
        }
        do {
          let fit = try priorFit(codes: codes, labels: dataset.labels, prior: prior,
                                 kernelSize: Float(kernel),
                                 seed: UInt64(try arguments.integer("seed", atLeast: 0)))
          return .host(PriorFitObject(fit, priorName: name, provenance: dataset.provenance))
        } catch let error as DivergenceError {
          throw arguments.error(error.message, help: error.hint)
        }
      })
    register(
      Builtin(
        "classify_latent",
        parameters: [.required("encoder", .host("model")),
                     .required("dataset", .oneOf([.host("dataset"), .host("data")]))],
        summary: "classifies by the argmax of each 10-D code: raw and best-relabelled accuracy",
        example: "l = classify_latent(ae.encoder, data.test); confusion(l.relabelled)"
      ) { arguments in
        let (codes, dataset) = try codes(arguments)
        guard codes.shape[1] == dataset.classCount else {
          throw arguments.error(
            "classification from the code needs one code dimension per class: the codes are "
              + "\(codes.shape[1])-D, '\(dataset.name)' has \(dataset.classCount) classes",
            help: "train an autoencoder with a \(dataset.classCount)-D code, e.g. with prior: \"one_hot\"")
        }
        guard dataset.count >= 1 else {
          throw arguments.error("'\(dataset.name)' has no examples")
        }
        let result = classifyLatent(codes: codes, labels: dataset.labels)
        // The loss of log-softmax(code), raw and with the columns put in relabelled order.
        let raw = softmaxCrossEntropy(logits: codes, labels: dataset.labels,
                                      gradient: Tensor(shape: codes.shape))
        let permuted = Tensor(shape: codes.shape)
        for row in 0..<codes.shape[0] {
          for (dimension, label) in result.relabelling.classOfPrediction.enumerated() {
            if let label { permuted[row, label] = codes[row, dimension] }
          }
        }
        let relabelled = softmaxCrossEntropy(logits: permuted, labels: dataset.labels,
                                             gradient: Tensor(shape: codes.shape))
        return .host(LatentObject(result, classNames: dataset.classNames,
                                  losses: (Double(raw), Double(relabelled)),
                                  provenance: dataset.provenance))
      })
  }
}

/// The per-epoch series a history holds beyond loss and accuracy: Part B's loss terms, by the
/// name `curves(h, metric:)` and the history's attributes use (`csd` is `divergence`).
let termMetrics: [(name: String, summary: String, value: @Sendable (LossTerms) -> Double?)] = [
  ("mse", "reconstruction MSE", { $0.reconstruction }),
  ("divergence", "the divergence to the prior sample (CSD or the chosen kind), unweighted",
   { $0.divergence }),
  ("disc_loss", "the discriminator's loss on prior samples vs codes", { $0.discriminatorLoss }),
  ("disc_accuracy", "the discriminator's accuracy telling prior samples from codes",
   { $0.discriminatorAccuracy }),
  ("adv_loss", "the encoder's adversarial loss, BCE(D(code), 1)", { $0.adversarialLoss }),
]

/// Every metric name `curves` accepts.
let historyMetricNames = ["loss", "accuracy"] + termMetrics.map(\.name) + ["csd"]

/// A history's training and validation series for a metric, or nil for an unknown name.
/// - Parameters:
///   - history: the history.
///   - metric: `loss`, `accuracy`, or a term (`mse`, `csd`/`divergence`, `disc_loss`,
///     `disc_accuracy`, `adv_loss`).
func historySeries(_ history: History, metric: String)
  -> (train: [Double?], validation: [Double?])?
{
  let records = history.records
  switch metric {
  case "loss": return (records.map(\.trainLoss), records.map(\.validationLoss))
  case "accuracy": return (records.map(\.trainAccuracy), records.map(\.validationAccuracy))
  default:
    let name = metric == "csd" ? "divergence" : metric
    guard let term = termMetrics.first(where: { $0.name == name }) else { return nil }
    return (records.map { $0.trainTerms.flatMap(term.value) },
            records.map { $0.validationTerms.flatMap(term.value) })
  }
}
