import Foundation
import KMSTensor

/// Why a model file could not be read or written.
public struct ModelFileError: KMSError {
  /// The file concerned.
  public let path: String
  /// What went wrong, lowercase, naming what was expected.
  public let message: String
  /// What to try.
  public let hint: String?

  /// `path: message`.
  public var headline: String { "\(path): \(message)" }
}

/// The `.kmsmodel` format: one file holding a model's architecture and every weight, in the
/// checksummed container of `TensorFile` (magic `KMSMODEL`, format 2). Its JSON header holds the
/// model's `spec` (the layer list and input shape, so any model kms can build it can save) and
/// one entry per parameter (`enc1.weight`, …) with its shape and CRC-32C. Loading checks every
/// check, rebuilds the architecture from the spec, checks every name and shape, then copies the
/// weights, so the reloaded model produces bit-identical outputs.
///
/// Format 1 files (kms 0.1: `KMSMODEL`, a UInt32 header length, a JSON header naming the kind
/// and its sizes, the values; no checksums) still load.
public enum ModelFile {
  static let magic = Array("KMSMODEL".utf8)

  /// A format-2 header.
  struct Header: Codable {
    var spec: ModelSpec
    var tensors: [TensorFile.Entry]
  }

  /// A format-1 header (kms 0.1).
  struct FormatOneHeader: Codable {
    struct Entry: Codable {
      var name: String
      var shape: [Int]
    }
    var format: Int
    var kind: String?            // "autoencoder" or "classifier"
    var inputSize: Int?
    var encoderSizes: [Int]?     // autoencoder
    var codeActivation: String?  // autoencoder
    var hiddenSizes: [Int]?      // classifier
    var classCount: Int?         // classifier
    var parameters: [Entry]
  }

  /// Writes `model` to `path` atomically (see `TensorFile`).
  /// - Parameters:
  ///   - model: any model.
  ///   - path: the destination.
  /// - Throws: `ModelFileError` when the folder is not writable.
  public static func write(_ model: Model, to path: String) throws(ModelFileError) {
    try TensorFile.write(
      magic: magic, header: { Header(spec: model.spec, tensors: $0) },
      tensors: model.store.parameters.map { ($0.name, $0.value) }, to: path)
  }

  /// Reads a model written by `write(_:to:)`, in this format or format 1.
  /// - Parameter path: the file.
  /// - Returns: the model with the saved weights.
  /// - Throws: `ModelFileError` for a missing, truncated, damaged or foreign file.
  public static func read(from path: String) throws(ModelFileError) -> Model {
    let bytes = try contents(of: path, kind: "model file", hint: "save one with save(model, \"\(path)\")")
    func fail(_ message: String) -> ModelFileError {
      ModelFileError(path: path, message: message, hint: "the file may be damaged, or not a kms model")
    }
    guard bytes.count >= 8, Array(bytes.prefix(8)) == magic else {
      if bytes.count >= 8, Array(bytes.prefix(8)) == Checkpoint.magic {
        throw ModelFileError(path: path, message: "this is a training checkpoint, not a model file",
                             hint: "t = resume(\"\(path)\", data) continues its training; t.model is the model")
      }
      throw fail("not a kms model file (it does not start with KMSMODEL)")
    }
    if bytes.count >= 13, bytes[bytes.startIndex + 12] == UInt8(ascii: "{") {
      return try readFormatOne(bytes, path: path)
    }
    let (headerBytes, tensors) = try TensorFile.read(from: path, magic: magic, bytes: bytes)
    guard let header = try? JSONDecoder().decode(Header.self, from: headerBytes) else {
      throw fail("the model header has no readable architecture (spec)")
    }
    let model = try build(header.spec, path: path)
    try load(tensors.map { ($0.entry.name, $0.value) }, into: model, path: path)
    return model
  }

  /// The bytes of a file that must exist and be a regular file.
  static func contents(of path: String, kind: String, hint: String) throws(ModelFileError) -> Data {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw ModelFileError(path: path, message: "no such \(kind)", hint: hint)
    }
    guard !isDirectory.boolValue else {
      throw ModelFileError(path: path, message: "this is a folder, not a \(kind)", hint: "name the file inside it")
    }
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
      attributes[.type] as? FileAttributeType == .typeRegular
    else {
      throw ModelFileError(path: path, message: "this is not a regular file, so not a \(kind)", hint: nil)
    }
    guard let bytes = FileManager.default.contents(atPath: path) else {
      throw ModelFileError(path: path, message: "cannot read the \(kind)", hint: "check its permissions")
    }
    return bytes
  }

  /// Builds a spec read from a file (its own limits apply: a crafted header cannot ask for a
  /// huge allocation).
  static func build(_ spec: ModelSpec, path: String) throws(ModelFileError) -> Model {
    do {
      return try spec.makeModel()
    } catch {
      throw ModelFileError(path: path, message: "the model's architecture cannot be built: \(error.message)",
                           hint: "the file may be damaged, or written by another kms")
    }
  }

  /// Copies named tensors into a model's parameters, checking every name and shape first.
  static func load(_ tensors: [(name: String, value: Tensor)], into model: Model, path: String)
    throws(ModelFileError)
  {
    let parameters = model.store.parameters
    guard tensors.count >= parameters.count else {
      throw ModelFileError(path: path, message: "the file holds \(tensors.count) tensors, a \(model.kindDescription) has \(parameters.count) parameters", hint: nil)
    }
    for (parameter, (name, value)) in zip(parameters, tensors) {
      guard parameter.name == name, parameter.shape == value.shape else {
        throw ModelFileError(
          path: path,
          message: "tensor '\(name)' \(value.shape) does not match parameter '\(parameter.name)' \(parameter.shape) of a \(model.kindDescription)",
          hint: "the file may be damaged, or written by another kms")
      }
    }
    for (parameter, (_, value)) in zip(parameters, tensors) { parameter.value.assign(value) }
  }

  /// Reads a kms 0.1 model file.
  private static func readFormatOne(_ bytes: Data, path: String) throws(ModelFileError) -> Model {
    func fail(_ message: String) -> ModelFileError {
      ModelFileError(path: path, message: message, hint: "the file may be damaged, or not a kms model")
    }
    let headerLength = Int(TensorFile.readUInt32(bytes, at: 8))
    guard 12 + headerLength <= bytes.count,
      let header = try? JSONDecoder().decode(FormatOneHeader.self, from: bytes.subdata(in: 12..<(12 + headerLength)))
    else { throw fail("the model header is truncated or unreadable") }
    guard header.format == 1 else { throw fail("a format-\(header.format) header in a format-1 layout") }
    let spec: ModelSpec
    do { spec = try formatOneSpec(header) } catch { throw fail("\(error)") }
    let model = try build(spec, path: path)
    let expected = model.store.parameters.map { FormatOneHeader.Entry(name: $0.name, shape: $0.shape.dimensions) }
    guard expected.map(\.name) == header.parameters.map(\.name),
      expected.map(\.shape) == header.parameters.map(\.shape)
    else { throw fail("the parameter list does not match a \(model.kindDescription)") }
    let valueBytes = model.store.values.count * MemoryLayout<Float>.size
    guard bytes.count == 12 + headerLength + valueBytes else {
      throw fail("expected \(valueBytes) bytes of weights, found \(bytes.count - 12 - headerLength)")
    }
    bytes.withUnsafeBytes { raw in
      let source = raw.baseAddress! + 12 + headerLength
      UnsafeMutableRawPointer(model.store.values.data).copyMemory(from: source, byteCount: valueBytes)
    }
    return model
  }

  /// The spec a format-1 header describes, or an error for an inconsistent one.
  private static func formatOneSpec(_ header: FormatOneHeader) throws -> ModelSpec {
    func fail(_ message: String) -> ModelSpecError { ModelSpecError(message) }
    guard let inputSize = header.inputSize, inputSize > 0 else { throw fail("no input size") }
    switch (header.kind, header.encoderSizes, header.hiddenSizes, header.classCount) {
    case ("autoencoder", let sizes?, _, _) where !sizes.isEmpty:
      guard let activation = ActivationKind(rawValue: header.codeActivation ?? "relu") else {
        throw fail("unknown code activation '\(header.codeActivation ?? "")'")
      }
      return .autoencoder(inputSize: inputSize, encoderSizes: sizes, codeActivation: activation)
    case ("classifier", _, let hidden?, let classes?):
      return .mlp(inputSize: inputSize, hiddenSizes: hidden, classCount: classes)
    default:
      throw fail("unknown or inconsistent model kind '\(header.kind ?? "")'")
    }
  }

}
