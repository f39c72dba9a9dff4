import Foundation
import KMSData
import KMSNN
import KMSTensor

/// A model in kms: a whole model, or an autoencoder's encoder or decoder. Bindings ask it what
/// the model can do (`hasCode`, `model.classCount`), never which class it is.
public final class ModelObject: HostObject {
  /// The trainable whole this object is or belongs to.
  public let model: Model
  /// What this object runs: the whole network, or the encoder or decoder.
  public let network: Sequential
  /// The shape of one input to `network` (`[784]`, `[1, 28, 28]`, or a code's `[225]`).
  public let inputShape: Shape
  /// `autoencoder 784-…`, `encoder of autoencoder 784-…`.
  public let title: String
  /// True when a trainer changed the weights after the last `save` (or creation): the REPL
  /// asks before quitting.
  public var isTrainedSinceSaved = false

  /// Wraps a whole model.
  /// - Parameter model: any model.
  public init(_ model: Model) {
    self.model = model
    network = model.network
    inputShape = model.inputShape
    title = model.kindDescription
  }

  private init(part network: Sequential, of model: Model, inputShape: Shape) {
    self.model = model
    self.network = network
    self.inputShape = inputShape
    title = "\(network.name) of \(model.kindDescription)"
  }

  /// True when this is a whole model (trainable and savable), not an encoder or decoder view.
  public var isWhole: Bool { network === model.network }
  /// True when the model has a code (an encoder and a decoder).
  public var hasCode: Bool { model.encoderDecoder != nil }
  /// True when this is the encoder half of a model with a code.
  public var isEncoder: Bool { model.encoderDecoder.map { $0.encoder === network } ?? false }
  /// Features of one input to `network`.
  public var inputSize: Int { inputShape.elementCount }
  /// Features of one output of `network`.
  public var outputSize: Int { network.outputShape(for: inputShape).elementCount }

  /// The parameters of what this object runs.
  public var parameterCount: Int { network.parameterCount }

  /// `autoencoder 784-800-400-225-400-800-784, 2,077,809 parameters`.
  public var summary: String { "\(title), \(grouped(parameterCount)) parameters" }

  /// Runs `network` over flat inputs `[count, inputSize]` in evaluation mode; `[count, outputSize]`.
  public func predict(_ inputs: Tensor) -> Tensor {
    KMSNN.predict(network, inputShape: inputShape, inputs: inputs)
  }

  /// Throws the standard mismatch error unless `dataset` has this network's input width.
  func checkFeatures(of dataset: Dataset, _ arguments: Arguments) throws(RuntimeError) {
    guard dataset.featureCount != inputSize else { return }
    let help: String?
    if model.classCount != nil && isWhole && dataset.featureCount > inputSize {
      help = "encode the data first: codes = encode(ae.encoder, data)"
    } else if inputSize != 784 {
      help = "encode the data first: encode(ae.encoder, data.train)"
    } else {
      help = "build the model for \(dataset.featureCount) inputs"
    }
    throw arguments.error(
      "\(title) takes \(inputSize) features, but '\(dataset.name)' has \(dataset.featureCount)", help: help)
  }

  /// Throws unless a classifier's logits cover every class of `dataset`.
  func checkClasses(of dataset: Dataset, _ arguments: Arguments) throws(RuntimeError) {
    guard let classes = model.classCount, dataset.classCount > classes else { return }
    throw arguments.error("the data has \(dataset.classCount) classes but the classifier only \(classes)")
  }

  /// The layers as Keras's `summary()` prints them: one row per layer, `name (Type)`, the output
  /// shape of one example (`[32, 26, 26]`, no batch axis) and the parameter count, then the
  /// totals. An activation after a layer with parameters (fused into a convolution, or its own
  /// step after a dense layer) shows in that layer's type, `Conv2D+ReLU`, `Dense+Sigmoid`.
  public var description: String {
    let rule = String(repeating: "_", count: 72), double = String(repeating: "=", count: 72)
    var rows: [(name: String, type: String, shape: String, parameters: String, fused: Bool)] = []
    var counts: [String: Int] = [:]
    var nonTrainable = 0
    func walk(_ chain: Sequential, shape: Shape, prefix: String) -> Shape {
      var shape = shape
      for layer in chain.layers {
        if let inner = layer as? Sequential {
          shape = walk(inner, shape: shape, prefix: prefix + inner.name + "/")
          continue
        }
        // An activation after a layer with parameters shows in that layer's row, as Keras's
        // `Dense(288, activation="relu")` is one layer.
        if let activation = layer as? Activation, let last = rows.last, !last.fused,
          !last.parameters.isEmpty, last.parameters != "0"
        {
          rows[rows.count - 1].type += "+" + activation.summaryName
          rows[rows.count - 1].fused = true
          continue
        }
        let type = String(layer.summaryName.prefix(while: { $0 != "(" }))
          + (layer.summaryName.hasSuffix("+ReLU") ? "+ReLU" : "")
        let name: String
        if let first = layer.parameters.first {
          name = String(first.name.prefix(while: { $0 != "." }))
        } else {
          let kind = type.lowercased()
          counts[kind, default: 0] += 1
          name = "\(kind)\(counts[kind]!)"
        }
        if let norm = layer as? BatchNorm { nonTrainable += norm.nonTrainableCount }
        shape = layer.outputShape(for: shape)
        rows.append((" \(prefix)\(name)", type, shape.description,
                     grouped(layer.parameters.reduce(0) { $0 + $1.value.count }),
                     type.hasSuffix("+ReLU")))
      }
      return shape
    }
    _ = walk(network, shape: inputShape, prefix: "")
    let table = rows.map { ("\($0.name) (\($0.type))", $0.shape, $0.parameters) }
    let nameWidth = max(30, (table.map(\.0.count).max() ?? 0) + 2)
    let shapeWidth = max(22, (table.map(\.1.count).max() ?? 0) + 2)
    func line(_ a: String, _ b: String, _ c: String) -> String {
      a.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
        + b.padding(toLength: shapeWidth, withPad: " ", startingAt: 0) + c
    }
    var lines = [title, rule, line(" Layer (type)", "Output Shape", "Param #"), double]
    lines += table.map { line($0.0, $0.1, $0.2) }
    lines += [double, "Total params: \(grouped(parameterCount))",
              "Trainable params: \(grouped(parameterCount - nonTrainable))",
              "Non-trainable params: \(grouped(nonTrainable))", rule]
    return lines.joined(separator: "\n")
  }

  /// The kms type `model`.
  public static let hostType = HostType(
    name: "model", summary: "an autoencoder or classifier (or an autoencoder's encoder or decoder)",
    attributes: [
      .attribute("encoder", of: ModelObject.self, type: .host("model"), summary: "an autoencoder's encoder: input → code") {
        try $0.part(encoder: true)
      },
      .attribute("decoder", of: ModelObject.self, type: .host("model"), summary: "an autoencoder's decoder: code → image") {
        try $0.part(encoder: false)
      },
      .attribute("parameters", of: ModelObject.self, type: .integer, summary: "the number of trainable parameters") {
        .number(Double($0.parameterCount))
      },
      .attribute("kind", of: ModelObject.self, type: .string, summary: "autoencoder, classifier, encoder or decoder") {
        .string($0.isWhole ? $0.model.spec.kind.rawValue : $0.network.name)
      },
      .attribute("inputs", of: ModelObject.self, type: .integer, summary: "features of one input") { .number(Double($0.inputSize)) },
      .attribute("outputs", of: ModelObject.self, type: .integer, summary: "features of one output") {
        .number(Double($0.outputSize))
      },
      .attribute("weights", of: ModelObject.self, type: .listOf(.host("tensor")),
                 summary: "every weight and bias tensor, in layer order: read-only, with shapes") {
        $0.weights
      },
    ],
    methods: [
      .method("summary", of: ModelObject.self, summary: "prints the layers, output shapes and parameter counts",
              example: "model.summary()") { object, arguments in
        arguments.write(object.description + "\n")
        return .none
      }
    ])

  /// A whole autoencoder's encoder, or nil.
  var encoderPart: ModelObject? {
    guard isWhole, let (encoder, _) = model.encoderDecoder else { return nil }
    return ModelObject(part: encoder, of: model, inputShape: inputShape)
  }

  private func part(encoder wantsEncoder: Bool) throws -> Value {
    let name = wantsEncoder ? "encoder" : "decoder"
    guard let (encoder, decoder) = model.encoderDecoder, isWhole else {
      throw AttributeError(message: "only a whole autoencoder has \(name == "encoder" ? "an" : "a") \(name)")
    }
    let input = wantsEncoder ? inputShape : encoder.outputShape(for: inputShape)
    return .host(ModelObject(part: wantsEncoder ? encoder : decoder, of: model, inputShape: input))
  }
}

/// An attribute that does not apply to this object; the interpreter reports it at the access.
struct AttributeError: Error, CustomStringConvertible {
  let message: String
  var description: String { message }
}

/// A classifier's results on a dataset: accuracy, confusion matrix, per-class accuracy.
public final class EvaluationObject: HostObject {
  /// The confusion matrix (rows true, columns predicted).
  public let confusion: ConfusionMatrix
  /// The class names, by label.
  public let classNames: [String]
  /// The mean loss on the dataset.
  public let loss: Double
  /// Which data the numbers came from.
  public let provenance: String

  init(confusion: ConfusionMatrix, classNames: [String], loss: Double, provenance: String) {
    self.confusion = confusion
    self.classNames = classNames
    self.loss = loss
    self.provenance = provenance
  }

  /// `accuracy 0.8750 on 2,000 examples`.
  public var summary: String {
    String(format: "accuracy %.4f on ", confusion.accuracy) + grouped(confusion.total) + " examples"
  }

  /// The confusion matrix as a table with per-class accuracy, then the overall accuracy.
  public var description: String {
    let names = classNames.count == confusion.classCount ? classNames : (0..<confusion.classCount).map(String.init)
    let width = max(6, (names.map(\.count).max() ?? 0) + 1, String(confusion.counts.joined().max() ?? 0).count + 1)
    func cell(_ text: String) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
    var lines = ["confusion matrix (rows: true label, columns: predicted label)",
                 cell("") + names.map(cell).joined() + "   per-class"]
    for (index, row) in confusion.counts.enumerated() {
      lines.append(cell(names[index]) + row.map { cell(String($0)) }.joined()
                   + String(format: "   %.3f", confusion.perClassAccuracy[index]))
    }
    lines.append(String(format: "accuracy %.4f (%d of %d), loss %.4f", confusion.accuracy,
                        (0..<confusion.classCount).reduce(0) { $0 + confusion.counts[$1][$1] },
                        confusion.total, loss))
    lines.append("data: \(provenance)")
    return lines.joined(separator: "\n")
  }

  /// The kms type `evaluation`.
  public static let hostType = HostType(
    name: "evaluation", summary: "a classifier's accuracy, confusion matrix and per-class accuracy",
    attributes: [
      .attribute("accuracy", of: EvaluationObject.self, type: .number, summary: "the fraction classified correctly") {
        .number($0.confusion.accuracy)
      },
      .attribute("loss", of: EvaluationObject.self, type: .number, summary: "the mean cross-entropy") { .number($0.loss) },
      .attribute("confusion", of: EvaluationObject.self, summary: "counts[true][predicted], a list of lists") {
        .list($0.confusion.counts.map { .list($0.map { .number(Double($0)) }) })
      },
      .attribute("per_class", of: EvaluationObject.self, type: .listOf(.number), summary: "accuracy of each true class") {
        .list($0.confusion.perClassAccuracy.map(Value.number))
      },
      .attribute("classes", of: EvaluationObject.self, type: .listOf(.string), summary: "the class names") {
        .list($0.classNames.map { .string($0) })
      },
      .attribute("provenance", of: EvaluationObject.self, type: .string, summary: "which data the numbers came from") {
        .string($0.provenance)
      },
    ])
}


/// A read-only view of one parameter tensor (`model.weights[0]`): its name and shape, with
/// summary statistics; `.values` copies the numbers out.
public final class TensorObject: HostObject {
  /// The parameter's name, e.g. `dense1.weight`.
  public let name: String
  /// The live tensor (reads see the current weights; nothing here writes to it).
  let tensor: Tensor

  init(name: String, tensor: Tensor) {
    self.name = name
    self.tensor = tensor
  }

  /// Mean, standard deviation, minimum and maximum of the elements, in Double.
  var statistics: (mean: Double, std: Double, min: Double, max: Double) {
    let count = max(tensor.count, 1)
    var sum = 0.0, squares = 0.0
    var low = Double.infinity, high = -Double.infinity
    for index in 0..<tensor.count {
      let value = Double(tensor.data[index])
      sum += value
      squares += value * value
      low = Swift.min(low, value)
      high = Swift.max(high, value)
    }
    let mean = sum / Double(count)
    return (mean, (Swift.max(0, squares / Double(count) - mean * mean)).squareRoot(), low, high)
  }

  /// `dense1.weight [784, 800]: 627,200 values, mean 0.0001, std 0.0412, min -0.09, max 0.09`.
  public var summary: String {
    let (mean, std, low, high) = statistics
    return "\(name) \(tensor.shape.description): \(grouped(tensor.count)) values, "
      + String(format: "mean %.4g, std %.4g, min %.4g, max %.4g", mean, std, low, high)
  }

  /// The kms type `tensor`.
  public static let hostType = HostType(
    name: "tensor", summary: "a model's weights or biases, read-only: name, shape and statistics",
    attributes: [
      .attribute("name", of: TensorObject.self, type: .string, summary: "the parameter's name") {
        .string($0.name)
      },
      .attribute(
        "shape", of: TensorObject.self, type: .listOf(.number), summary: "the extent of each axis"
      ) { .list($0.tensor.shape.dimensions.map { .number(Double($0)) }) },
      .attribute("size", of: TensorObject.self, type: .integer, summary: "the number of values") {
        .number(Double($0.tensor.count))
      },
      .attribute("mean", of: TensorObject.self, type: .number, summary: "the mean value") {
        .number($0.statistics.mean)
      },
      .attribute("std", of: TensorObject.self, type: .number, summary: "the standard deviation") {
        .number($0.statistics.std)
      },
      .attribute("min", of: TensorObject.self, type: .number, summary: "the smallest value") {
        .number($0.statistics.min)
      },
      .attribute("max", of: TensorObject.self, type: .number, summary: "the largest value") {
        .number($0.statistics.max)
      },
      .attribute(
        "values", of: TensorObject.self, type: .listOf(.number),
        summary: "a copy of the values, flat, row-major"
      ) { .list($0.tensor.scalars.map { Value.float($0) }) },
    ])
}

extension ModelObject {
  /// `model.weights`: every parameter tensor of what this object runs, in layer order.
  var weights: Value {
    .list(network.parameters.map { .host(TensorObject(name: $0.name, tensor: $0.value)) })
  }
}

extension BuiltinRegistry {
  /// Registers `predict` and the `tensor` type of `model.weights`.
  public func registerPredict() {
    register(TensorObject.hostType)
    register(
      Builtin(
        "predict", returns: .host("dataset"),
        parameters: [.required("model", .host("model")), .required("data", .host("dataset"))],
        summary: "runs a model over a dataset: a classifier's class probabilities, an "
          + "autoencoder's reconstructions (an encoder's codes), as a dataset with the same labels",
        example: "probabilities = predict(mlp, data.test)"
      ) { arguments in
        let model = try arguments.host("model", as: ModelObject.self)
        let dataset = try arguments.host("data", as: DatasetObject.self).dataset
        try model.checkFeatures(of: dataset, arguments)
        let outputs = model.predict(dataset.features)
        let isClassifier = model.isWhole && model.model.classCount != nil
        let what: String
        if isClassifier {
          softmaxRows(outputs)
          what = "class probabilities"
        } else {
          what = model.isEncoder ? "codes" : "reconstructions"
        }
        // Reconstructions of images are images again (`images(r)` draws them).
        let keepsImages = dataset.hasImageShape && outputs.shape[1] == dataset.featureCount
        return .host(DatasetObject(Dataset(
          name: "\(dataset.name)-\(what.split(separator: " ").last!)",
          provenance: "\(model.title) \(what) of \(dataset.provenance)", features: outputs,
          labels: dataset.labels, classNames: dataset.classNames,
          imageHeight: keepsImages ? dataset.imageHeight : 0,
          imageWidth: keepsImages ? dataset.imageWidth : 0, sourceIndices: dataset.sourceIndices)))
      })
  }
}

/// Turns each row of `[count, classes]` logits into probabilities, in place (max subtracted first,
/// so large logits do not overflow `exp`).
private func softmaxRows(_ logits: Tensor) {
  let width = logits.shape.rowSize
  guard width > 0 else { return }
  for row in 0..<(logits.count / width) {
    let start = logits.data + row * width
    var largest = -Float.infinity
    for column in 0..<width { largest = max(largest, start[column]) }
    var total: Float = 0
    for column in 0..<width {
      start[column] = expf(start[column] - largest)
      total += start[column]
    }
    for column in 0..<width { start[column] /= total }
  }
}
