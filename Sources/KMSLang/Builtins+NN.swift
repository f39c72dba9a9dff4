import Foundation
import KMSData
import KMSNN
import KMSTensor

// Model and training builtins: autoencoder, classifier, trainer, resume, evaluate, encode, save
// and load (prior() is in Builtins+Prior.swift). Their host types live in ModelObject.swift, TrainerObject.swift and
// HistoryObject.swift; the layer constructors in Builtins+Layers.swift.

extension BuiltinRegistry {
  /// Registers the model, training and evaluation builtins and their host types.
  public func registerNN() {
    for type in [ModelObject.hostType, TrainerObject.hostType, HistoryObject.hostType, EvaluationObject.hostType] {
      register(type)
    }
    register(
      Builtin(
        "autoencoder", returns: .host("model"),
        parameters: [.required("sizes", .list),
                     .keyword("inputs", .integer, default: .number(784)),
                     .keyword("code", .string, default: .string("relu")),
                     .keyword("seed", .integer, default: .number(0))],
        summary: "a stacked autoencoder: encoder sizes down to the code, mirrored decoder, sigmoid output",
        example: "ae = autoencoder([800, 400, 225])"
      ) { arguments in
        let sizes = try arguments.integers("sizes")
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 1 }) else {
          throw arguments.error("sizes must be a non-empty list of positive integers, got \(arguments["sizes"].repr)")
        }
        try arguments.requireLayerWidths(sizes, "sizes")
        let inputs = try arguments.integer("inputs", atLeast: 1)
        guard let code = ActivationKind(rawValue: try arguments.string("code")) else {
          throw arguments.error("unknown code activation \(arguments["code"].repr)",
                                help: "use \"relu\" (Part A), \"linear\" (for a prior), \"tanh\" or \"sigmoid\"")
        }
        let spec = ModelSpec.autoencoder(inputSize: inputs, encoderSizes: sizes, codeActivation: code)
        return try makeModel(spec, arguments)
      })
    register(
      Builtin(
        "classifier", returns: .host("model"),
        parameters: [.required("network", .oneOf([.integer, .host("dataset"), .list])),
                     .keyword("hidden", .optional(.list), default: .none),
                     .keyword("classes", .optional(.integer), default: .none),
                     .keyword("inputs", .optional(.oneOf([.integer, .list])), default: .none),
                     .keyword("seed", .integer, default: .number(0))],
        summary: "a classifier: an MLP from an input width (or a dataset) and hidden: sizes, or a "
          + "network from a list of layers whose last dense layer gives the logits",
        example: "mlp = classifier(225, hidden: [200])"
      ) { arguments in
        let spec: ModelSpec
        if case .list = arguments["network"] {
          if let given = ["hidden", "classes"].first(where: arguments.isGiven) {
            throw arguments.error("\(given) goes with an input width, not a layer list",
                                  help: "the list's last dense layer gives the classes: dense(10)")
          }
          var layers = try arguments.layers("network")
          // The last dense layer's outputs are the logits of softmax cross-entropy: linear.
          if case .dense(let units, _)? = layers.last {
            layers[layers.count - 1] = .dense(units: units, activation: .linear)
          }
          let shape: [Int]
          switch arguments["inputs"] {
          case .none: shape = [1, 28, 28]
          case .number: shape = [try arguments.integer("inputs", atLeast: 1)]
          default: shape = try arguments.integers("inputs")
          }
          spec = ModelSpec(kind: .classifier, inputShape: shape, layers: layers)
        } else {
          if arguments.isGiven("inputs") {
            throw arguments.error("inputs goes with a layer list",
                                  help: "an MLP takes its input width first: classifier(784, hidden: [200])")
          }
          let inputs: Int
          if case .host(let object) = arguments["network"], let data = object as? DatasetObject {
            inputs = data.dataset.featureCount
          } else {
            // The first argument of the MLP form is its input width: name it so in messages.
            inputs = try arguments.integer("network")
            guard inputs >= 1 else { throw arguments.error("inputs must be >= 1, got \(inputs)") }
          }
          let hidden = arguments.isGiven("hidden") ? try arguments.integers("hidden") : [200]
          guard hidden.allSatisfy({ $0 >= 1 }) else {
            throw arguments.error("hidden must be a list of positive integers, got \(arguments["hidden"].repr)")
          }
          try arguments.requireLayerWidths(hidden, "hidden")
          let classes = arguments.isGiven("classes") ? try arguments.integer("classes", atLeast: 2) : 10
          spec = .mlp(inputSize: inputs, hiddenSizes: hidden, classCount: classes)
        }
        return try makeModel(spec, arguments)
      })
    register(
      Builtin(
        "trainer", returns: .host("trainer"),
        parameters: [.required("model", .host("model")),
                     .required("data", .oneOf([.host("data"), .host("dataset"), .host("augmented")])),
                     .keyword("lr", .number, default: .number(0.001)),
                     .keyword("batch", .integer, default: .number(128)),
                     .keyword("validation", .optional(.host("dataset")), default: .none),
                     .keyword("seed", .integer, default: .number(0)),
                     .keyword("adam", .string, default: .string("keras"))
                       .choosing(AdamEpsilon.self),
                     .keyword("prior", .optional(.string), default: .none).choosing(Prior.Kind.self),
                     .keyword("penalty", .optional(.string), default: .none)
                       .choosing(PriorOptions.Penalty.self),
                     .keyword("weight", .optional(.number), default: .none),
                     .keyword("kernel", .optional(.number), default: .none),
                     .keyword("divergence", .optional(.string), default: .none)
                       .choosing(DivergenceKind.self),
                     .keyword("conditioned", .optional(.boolean), default: .none),
                     .keyword("noise", .optional(.number), default: .none),
                     .keyword("disc_lr", .optional(.number), default: .none),
                     .keyword("disc_steps", .optional(.integer), default: .none),
                     .keyword("enc_steps", .optional(.integer), default: .none),
                     .keyword("adv_batch", .optional(.integer), default: .none)],
        summary: "a trainer for a model on data (a data value's train/validation, or one dataset); "
          + "prior: pushes an autoencoder's code toward a prior such as \"swiss_roll\" or "
          + "\"one_hot\"; adam: where Adam adds ε, \"keras\" (to √v) or \"pytorch\" (to the "
          + "bias-corrected √v̂)",
        example: "t = trainer(ae, data, lr: 0.0008, batch: 164)"
      ) { arguments in
        let model = try arguments.host("model", as: ModelObject.self)
        guard model.isWhole else {
          throw arguments.error("cannot train the \(model.network.name) alone",
                                help: "train the whole autoencoder, then use its \(model.network.name)")
        }
        let lr = try arguments.positive("lr")
        try arguments.require("lr", lr <= 10, "at most 10")
        let batch = try arguments.integer("batch", atLeast: 1)
        let seed = try arguments.integer("seed", atLeast: 0)
        let adamEpsilon = try arguments.choice("adam", as: AdamEpsilon.self, what: "adam form")
          ?? .keras
        var training: Dataset
        var validation: Dataset?
        var provenance: String
        // augment(data, …): the data inside, and its distortions for the training batches.
        var data: (any HostObject)? = nil
        if case .host(let object) = arguments["data"] { data = object }
        let augmented = data as? AugmentedObject
        if let augmented { data = augmented.data }
        if let splits = data as? SplitsObject {
          training = splits.splits.train
          validation = splits.splits.validation
          provenance = "\(splits.splits.protocolName) protocol (\(training.provenance))"
        } else {
          guard let dataset = data as? DatasetObject else {
            throw arguments.error("data must be a data value, a dataset, or augment(…) of one")
          }
          training = dataset.dataset
          provenance = training.provenance
        }
        if case .host = arguments["validation"] {
          validation = try arguments.host("validation", as: DatasetObject.self).dataset
        }
        for set in [training] + (validation.map { [$0] } ?? []) {
          try model.checkFeatures(of: set, arguments)
          guard set.count > 0 else {
            throw arguments.error("'\(set.name)' has no examples to train or validate on",
                                  help: "re-split with a part of at least one example per class")
          }
        }
        try checkTrainingMemory(model, batch: batch, arguments)
        let options = try priorOptions(arguments)
        var objective = try libraryCall(arguments) {
          try TrainingSetup.objective(for: model.model, learningRate: Float(lr), seed: UInt64(seed),
                                      dataClassCount: training.classCount, options: options,
                                      adamEpsilon: adamEpsilon)
        }
        if let augmented {
          let plain = objective
          objective = try libraryCall(arguments) {
            try AugmentedObjective(plain, augmentation: augmented.augmentation, inputShape: model.inputShape)
          }
          provenance += ", training batches augmented (\(augmented.augmentation.description))"
        }
        let trainer = Trainer(
          objective: objective, training: Examples(inputs: training.features, labels: training.labels),
          validation: validation.map { Examples(inputs: $0.features, labels: $0.labels) },
          batchSize: batch, seed: UInt64(seed))
        let settings = TrainerSettings(
          learningRate: Float(lr), batchSize: batch, seed: UInt64(seed), options: options,
          dataClassCount: training.classCount, trainingCount: training.count,
          dataProvenance: provenance, adamEpsilon: adamEpsilon == .keras ? nil : adamEpsilon)
        return .host(TrainerObject(trainer: trainer, model: model, dataProvenance: provenance, settings: settings))
      })
    register(
      Builtin(
        "resume",
        parameters: [.required("path", .string),
                     .required("data", .oneOf([.host("data"), .host("dataset")])),
                     .keyword("validation", .optional(.host("dataset")), default: .none)],
        summary: "a trainer rebuilt from a checkpoint, on the same data, exactly where it stopped "
          + "(call fit as before to finish an interrupted fit)",
        example: "t = resume(\"run.kmsckpt\", data)"
      ) { arguments in
        let path = (try arguments.string("path") as NSString).expandingTildeInPath
        let contents = try libraryCall(arguments) { try Checkpoint.read(from: path) }
        var training: Dataset
        var validation: Dataset?
        if case .host(let object) = arguments["data"], let splits = object as? SplitsObject {
          (training, validation) = (splits.splits.train, splits.splits.validation)
        } else {
          training = try arguments.host("data", as: DatasetObject.self).dataset
        }
        if case .host = arguments["validation"] {
          validation = try arguments.host("validation", as: DatasetObject.self).dataset
        }
        let trainer = try libraryCall(arguments) {
          try Checkpoint.makeTrainer(
            contents, training: Examples(inputs: training.features, labels: training.labels),
            validation: validation.map { Examples(inputs: $0.features, labels: $0.labels) })
        }
        let model = ModelObject(contents.model)
        arguments.write("resumed \(model.title) after epoch \(trainer.epochsCompleted) from \(path)\n")
        return .host(TrainerObject(trainer: trainer, model: model, dataProvenance: contents.settings.dataProvenance,
                                   settings: contents.settings, pendingFit: contents.fit))
      })
    register(
      Builtin(
        "evaluate",
        parameters: [.required("model", .host("model")), .required("dataset", .oneOf([.host("dataset"), .host("data")])),
                     .keyword("labels", .string, default: .string("romaji"))],
        summary: "a classifier's accuracy and confusion matrix (classes named in romaji, kana or both), "
          + "or an autoencoder's reconstruction MSE",
        example: "evaluate(mlp, codes.test, labels: \"kana\")"
      ) { arguments in
        let model = try arguments.host("model", as: ModelObject.self)
        if case .host(let object) = arguments["dataset"], object is SplitsObject {
          throw arguments.error("evaluate needs one dataset, not a whole data value",
                                help: "pick one: evaluate(model, data.test)")
        }
        let dataset = try arguments.dataset("dataset", for: model)
        try arguments.requireExamples(dataset)
        let outputs = model.predict(dataset.features)
        if let classCount = model.model.classCount, model.isWhole {
          try model.checkClasses(of: dataset, arguments)
          let predicted = argmaxRows(outputs)
          let loss = softmaxCrossEntropy(logits: outputs, labels: dataset.labels, gradient: Tensor(shape: outputs.shape))
          return .host(EvaluationObject(
            confusion: ConfusionMatrix(predicted: predicted, labels: dataset.labels, classCount: classCount),
            classNames: try arguments.classLabels(dataset.classNames, forFigure: false), loss: Double(loss),
            provenance: dataset.provenance))
        }
        guard outputs.shape == dataset.features.shape else {
          throw arguments.error("evaluate needs a whole autoencoder or classifier, got the \(model.title)")
        }
        let mse = meanSquaredError(predicted: outputs, target: dataset.features, gradient: Tensor(shape: outputs.shape))
        return .record(["mse": .number(Double(mse)), "count": .number(Double(dataset.count)),
                        "provenance": .string(dataset.provenance)])
      })
    register(
      Builtin(
        "encode",
        parameters: [.required("encoder", .host("model")), .required("data", .oneOf([.host("dataset"), .host("data")]))],
        summary: "runs a network over a dataset (or each split); the codes keep the labels and provenance",
        example: "codes = encode(ae.encoder, data)"
      ) { arguments in
        let model = try arguments.host("encoder", as: ModelObject.self)
        func encoded(_ dataset: Dataset) throws(RuntimeError) -> Dataset {
          try model.checkFeatures(of: dataset, arguments)
          let codes = model.predict(dataset.features)
          return dataset.replacingFeatures(with: codes, name: "\(dataset.name)-codes",
                                           provenance: "\(model.title) codes of \(dataset.provenance)")
        }
        if case .host(let object) = arguments["data"], let splits = object as? SplitsObject {
          let s = splits.splits
          return .host(SplitsObject(DataSplits(train: try encoded(s.train), validation: try encoded(s.validation),
                                               test: try encoded(s.test), protocolName: s.protocolName,
                                               notice: s.notice)))
        }
        return .host(DatasetObject(try encoded(try arguments.host("data", as: DatasetObject.self).dataset)))
      })
    register(
      Builtin(
        "save",
        parameters: [.required("model", .host("model")), .required("path", .string)],
        summary: "writes a whole model to one file, atomically; load(path) reads it back identically",
        example: "save(ae, \"sae.kmsmodel\")"
      ) { arguments in
        let model = try arguments.host("model", as: ModelObject.self)
        guard model.isWhole else {
          throw arguments.error("save the whole autoencoder, not its \(model.network.name)")
        }
        let path = try arguments.string("path")
        try libraryCall(arguments) { try ModelFile.write(model.model, to: path) }
        model.isTrainedSinceSaved = false
        arguments.write("saved \(model.summary) to \(path)\n")
        return .none
      })
    register(
      Builtin(
        "load", returns: .host("model"),
        parameters: [.required("path", .string)],
        summary: "reads a model saved with save()",
        example: "ae = load(\"sae.kmsmodel\")"
      ) { arguments in
        let path = try arguments.string("path")
        return .host(ModelObject(try libraryCall(arguments) { try ModelFile.read(from: path) }))
      })
  }
}


extension Arguments {
  /// Refuses a layer wider than kms builds (checked before anything is allocated), naming it.
  func requireLayerWidths(_ widths: [Int], _ name: String) throws(RuntimeError) {
    guard let index = widths.firstIndex(where: { $0 > 100_000 }) else { return }
    throw error("\(name)[\(index)] asks for a layer of \(grouped(widths[index])) units; kms allows at most 100,000",
                help: "the paper's widest layer has 800")
  }

  /// A dataset argument whose feature count must match a model's input.
  func dataset(_ name: String, for model: ModelObject) throws(RuntimeError) -> Dataset {
    let dataset = try host(name, as: DatasetObject.self).dataset
    try model.checkFeatures(of: dataset, self)
    return dataset
  }
}

/// The Part B options of a `trainer` call, parsed; `PriorOptions.penalty(for:dataClassCount:)`
/// (KMSNN) decides what they mean for the model and says what does not fit.
private func priorOptions(_ arguments: Arguments) throws(RuntimeError) -> PriorOptions {
  var options = PriorOptions()
  options.prior = try arguments.choice("prior", as: Prior.Kind.self, what: "prior")
  options.penalty = try arguments.choice("penalty", as: PriorOptions.Penalty.self, what: "penalty")
  options.divergence = try arguments.choice("divergence", as: DivergenceKind.self,
                                            what: "divergence")
  if case .number = arguments["weight"] {
    options.weight = Float(try arguments.number("weight", in: 0...1_000_000))
  }
  if case .number = arguments["kernel"] {
    let kernel = try arguments.positive("kernel")
    try arguments.require("kernel", kernel <= 1_000_000, "at most 1,000,000")
    options.kernelSize = Float(kernel)
  }
  if case .boolean(let flag) = arguments["conditioned"] { options.conditioned = flag }
  if case .number = arguments["noise"] { options.noise = Float(try arguments.number("noise", in: 0...100)) }
  if case .number = arguments["disc_lr"] {
    let rate = try arguments.positive("disc_lr")
    try arguments.require("disc_lr", rate <= 10, "at most 10")
    options.discriminatorLearningRate = Float(rate)
  }
  for (name, keyPath) in [("disc_steps", \PriorOptions.discriminatorSteps), ("enc_steps", \.encoderSteps)] {
    guard case .number = arguments[name] else { continue }
    let steps = try arguments.integer(name, atLeast: 1)
    try arguments.require(name, steps <= 100, "at most 100")
    options[keyPath: keyPath] = steps
  }
  if case .number = arguments["adv_batch"] { options.adversarialBatch = try arguments.integer("adv_batch", atLeast: 1) }
  return options
}

/// Builds a model from a spec, with the spec's shape and size errors at the call.
private func makeModel(_ spec: ModelSpec, _ arguments: Arguments) throws(RuntimeError) -> Value {
  let seed = try arguments.integer("seed", atLeast: 0)
  let parameters = try libraryCall(arguments) { try spec.check() }
  // Values and gradients, 4 bytes each, held twice while the parameter store adopts the layers'
  // own tensors: checked before anything is allocated.
  try Limits.checkMemory(bytes: parameters * 16, "a model of \(grouped(parameters)) parameters", at: arguments.range)
  return .host(ModelObject(try libraryCall(arguments) { try spec.makeModel(seed: UInt64(seed)) }))
}

/// Refuses a trainer whose buffers would not fit in the memory left: Adam's two moments per
/// parameter, and per example of a batch every layer's output, input gradient and kept copy
/// (so OpenBLAS never spins on an allocation it cannot get).
private func checkTrainingMemory(_ model: ModelObject, batch: Int, _ arguments: Arguments)
  throws(RuntimeError)
{
  var widths = 0
  var shape = model.model.inputShape
  for (index, layer) in (model.model.spec.layers + (model.model.spec.decoder ?? [])).enumerated() {
    shape = (try? layer.outputShape(for: shape, position: index + 1)) ?? shape
    widths += shape.elementCount
  }
  let (activations, overflow) = (widths * 12).multipliedReportingOverflow(by: batch)
  let bytes = overflow ? Int.max / 2 : model.model.parameterCount * 8 + activations
  try Limits.checkMemory(
    bytes: bytes, "training \(model.title) at batch \(grouped(batch))", at: arguments.range)
}
