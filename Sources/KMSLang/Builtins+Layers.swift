import KMSNN

// Layer constructors: `dense(200)`, `dropout(0.4)`, … Each returns a `layer` value holding a
// `LayerSpec`; `classifier([layers…])` builds a network from a list of them by shape inference.
// A new layer kind is one row of `layerConstructors` (after its `Layer` class and `LayerSpec`
// case in KMSNN).

/// A layer as a kms value: what the user wrote, before the network it goes into is built.
public final class LayerObject: HostObject {
  /// The layer's spec.
  public let spec: LayerSpec

  init(_ spec: LayerSpec) { self.spec = spec }

  /// `dense(200)`.
  public var summary: String { spec.summaryName }
  /// `layer dense(200)`.
  public var description: String { "layer \(spec.summaryName)" }

  /// The kms type `layer`.
  public static let hostType = HostType(
    name: "layer", summary: "one layer of a network, for classifier([…])",
    attributes: [
      .attribute("kind", of: LayerObject.self, type: .string, summary: "conv, maxpool, dense, dropout, batchnorm, flatten") {
        .string(String($0.spec.summaryName.prefix(while: { $0 != "(" })))
      }
    ])
}

/// One row per layer kind: the builtin's name, parameters and help, and how its checked
/// arguments make the spec.
private var layerConstructors: [(name: String, parameters: [Parameter], summary: String,
                                 example: String, spec: (Arguments) throws -> LayerSpec)] { [
  ("dense", [.required("units", .integer),
             .keyword("activation", .string, default: .string("relu"))
              .choosing(ActivationKind.self)],
   "a fully connected layer (a dense layer after a spatial one flattens by itself)", "dense(200)",
   { arguments in
     let units = try arguments.integer("units", atLeast: 1)
     try arguments.require("units", units <= 1_000_000, "at most 1,000,000")
     return .dense(units: units, activation: try arguments.activation("activation"))
   }),
  ("dropout", [.required("rate", .number)],
   "drops that fraction of values in training (scaling the rest up), the identity in evaluation",
   "dropout(0.4)",
   { .dropout(rate: try $0.number("rate", in: 0...0.999_999)) }),
  ("conv", [.required("filters", .integer), .required("size", .integer),
            .keyword("stride", .integer, default: .number(1)),
            .keyword("padding", .string, default: .string("valid")).choosing(["valid", "same"]),
            .keyword("activation", .string, default: .string("relu"))
              .choosing(ActivationKind.self)],
   "a 2-D convolution of that many size×size filters on [channels, height, width] images "
     + "(padding \"valid\" or \"same\", as Keras)", "conv(32, 3)",
   { arguments in
     let filters = try arguments.integer("filters", atLeast: 1)
     try arguments.require("filters", filters <= 100_000, "at most 100,000")
     let size = try arguments.integer("size", atLeast: 1)
     try arguments.require("size", size <= 1_000, "at most 1,000")
     let stride = try arguments.integer("stride", atLeast: 1)
     try arguments.require("stride", stride <= 1_000, "at most 1,000")
     guard let padding = LayerSpec.Padding(rawValue: try arguments.string("padding")) else {
       throw arguments.error("unknown padding \(arguments["padding"].repr)", help: "use \"valid\" or \"same\"")
     }
     return .conv(filters: filters, size: size, stride: stride, padding: padding,
                  activation: try arguments.activation("activation"))
   }),
  ("maxpool", [.required("size", .integer), .keyword("stride", .optional(.integer), default: .none)],
   "the largest value of each size×size window (windows stride apart, the size by default)",
   "maxpool(2)",
   { arguments in
     let size = try arguments.integer("size", atLeast: 1)
     try arguments.require("size", size <= 1_000, "at most 1,000")
     guard arguments.isGiven("stride") else { return .maxpool(size: size, stride: size) }
     let stride = try arguments.integer("stride", atLeast: 1)
     try arguments.require("stride", stride <= 1_000, "at most 1,000")
     return .maxpool(size: size, stride: stride)
   }),
  ("batchnorm", [.keyword("momentum", .number, default: .number(0.99))],
   "batch normalisation, per channel on images and per feature after dense layers (ε 0.001 and "
     + "the moving statistics' momentum as Keras; those statistics are used in evaluation)",
   "batchnorm(momentum: 0.9)",
   { .batchnorm(momentum: try $0.number("momentum", in: 0...0.999_999)) }),
  ("flatten", [], "views [channels, height, width] as one flat vector (dense layers do it by themselves)",
   "flatten()", { _ in .flatten }),
] }

extension BuiltinRegistry {
  /// Registers the layer constructors and the `layer` host type.
  func registerLayers() {
    register(LayerObject.hostType)
    for row in layerConstructors {
      register(Builtin(row.name, parameters: row.parameters, summary: row.summary, example: row.example) {
        .host(LayerObject(try row.spec($0)))
      })
    }
  }
}

extension Arguments {
  /// An activation name argument: `"relu"`, `"sigmoid"`, `"tanh"` or `"linear"`.
  func activation(_ name: String) throws(RuntimeError) -> ActivationKind {
    guard let kind = ActivationKind(rawValue: try string(name)) else {
      throw error(
        "unknown \(name) \(self[name].repr)",
        help: "use " + ActivationKind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
    }
    return kind
  }

  /// A list of `layer` values.
  func layers(_ name: String) throws(RuntimeError) -> [LayerSpec] {
    guard case .list(let list) = self[name] else { throw error("\(name) must be a list of layers") }
    var specs: [LayerSpec] = []
    for (index, value) in list.elements.enumerated() {
      guard case .host(let object) = value, let layer = object as? LayerObject else {
        throw error("\(name)[\(index)] is a \(value.typeName), not a layer",
                    help: "build layers with conv(…), maxpool(…), dense(…), dropout(…)")
      }
      specs.append(layer.spec)
    }
    return specs
  }
}
