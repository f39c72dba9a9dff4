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

/// The `.kmsmodel` format: one file holding a model's architecture and every weight.
///
/// Layout: the 8 bytes `KMSMODEL`, a little-endian UInt32 header length, a JSON header
/// (`{"format":2,"spec":{"kind":…,"inputShape":[…],"layers":[…],…},"parameters":[{"name":…,
/// "shape":[…]}]}`), then every parameter's Float32 values, little-endian, in store order.
/// The spec is the model's layer list (`ModelSpec`), so any model kms can build it can save.
/// Loading rebuilds the architecture from the spec and checks every name, shape and the byte
/// count before copying any weight, so the reloaded model produces bit-identical outputs.
/// Format 1 files (kms 0.1: the kind and its sizes instead of a spec) still load.
public enum ModelFile {
  static let magic = Array("KMSMODEL".utf8)

  struct Header: Codable {
    struct Entry: Codable {
      var name: String
      var shape: [Int]
    }
    var format: Int
    var spec: ModelSpec?        // format 2
    var parameters: [Entry]
    // Format 1 (kms 0.1) described the two model kinds by their sizes:
    var kind: String?            // "autoencoder" or "classifier"
    var inputSize: Int?
    var encoderSizes: [Int]?     // autoencoder
    var codeActivation: String?  // autoencoder
    var hiddenSizes: [Int]?      // classifier
    var classCount: Int?         // classifier
  }

  /// The format this kms writes.
  static let currentFormat = 2

  /// Writes `model` to `path` atomically (a temporary file in the same folder, then a rename).
  /// - Parameters:
  ///   - model: any model.
  ///   - path: the destination.
  /// - Throws: `ModelFileError` when the folder is not writable.
  public static func write(_ model: Model, to path: String) throws(ModelFileError) {
    let header = Header(format: currentFormat, spec: model.spec,
                        parameters: model.store.parameters.map { .init(name: $0.name, shape: $0.shape.dimensions) })
    let json: Data
    do { json = try JSONEncoder().encode(header) } catch {
      preconditionFailure("a model header always encodes: \(error)")
    }
    var bytes = Data(magic)
    withUnsafeBytes(of: UInt32(json.count).littleEndian) { bytes.append(contentsOf: $0) }
    bytes.append(json)
    let values = model.store.values
    bytes.append(UnsafeBufferPointer(start: values.data, count: values.count))
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent()
      .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
    do {
      try bytes.write(to: temporary)
      guard rename(temporary.path, path) == 0 else {
        throw NSError(domain: NSPOSIXErrorDomain, code: Int(errno),
                      userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
      }
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw ModelFileError(path: path, message: "cannot write the model file (\(reason(error)))",
                           hint: "check that the folder exists and is writable")
    }
  }

  /// Reads a model written by `write(_:to:)`, in this format or format 1.
  /// - Parameter path: the file.
  /// - Returns: the model with the saved weights.
  /// - Throws: `ModelFileError` for a missing, truncated or foreign file.
  public static func read(from path: String) throws(ModelFileError) -> Model {
    guard let bytes = FileManager.default.contents(atPath: path) else {
      throw ModelFileError(path: path, message: "no such model file", hint: "save one with save(model, \"\(path)\")")
    }
    func fail(_ message: String) -> ModelFileError {
      ModelFileError(path: path, message: message, hint: "the file may be damaged, or not a kms model")
    }
    guard bytes.count >= 12, Array(bytes.prefix(8)) == magic else {
      throw fail("not a kms model file (it does not start with KMSMODEL)")
    }
    let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
    guard 12 + headerLength <= bytes.count,
      let header = try? JSONDecoder().decode(Header.self, from: bytes.subdata(in: 12..<(12 + headerLength)))
    else { throw fail("the model header is truncated or unreadable") }
    guard header.format == 1 || header.format == currentFormat else {
      throw fail("model format \(header.format) is newer than this kms understands (\(currentFormat))")
    }
    // Check the weights' size against the file before building anything, so a damaged header
    // cannot ask for a huge allocation.
    var declaredScalars = 0
    for entry in header.parameters {
      guard entry.shape.allSatisfy({ $0 > 0 && $0 <= 1 << 24 }) else {
        throw fail("parameter '\(entry.name)' has an impossible shape \(entry.shape)")
      }
      let (size, overflow) = entry.shape.reduce((1, false)) { partial, extent in
        let (product, didOverflow) = partial.0.multipliedReportingOverflow(by: extent)
        return (product, partial.1 || didOverflow)
      }
      declaredScalars += size
      guard !overflow, declaredScalars <= (bytes.count - 12 - headerLength) / 4 else {
        throw fail("expected more bytes of weights than the file holds")
      }
    }
    let model: Model
    do {
      model = try (header.spec ?? formatOneSpec(header)).makeModel()
    } catch let error as ModelSpecError {
      throw fail("the model's architecture cannot be built: \(error.message)")
    } catch {
      throw fail("\(error)")
    }
    let expected = model.store.parameters.map { Header.Entry(name: $0.name, shape: $0.shape.dimensions) }
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
  private static func formatOneSpec(_ header: Header) throws -> ModelSpec {
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

  private static func reason(_ error: Error) -> String {
    (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
  }
}
