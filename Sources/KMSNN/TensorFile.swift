import Foundation
import KMSTensor

/// The container of model files and checkpoints: a JSON header naming each tensor, then the
/// tensors' Float32 values, every part checksummed.
///
///     bytes 0–7     magic: "KMSMODEL" (a model) or "KMSCKPNT" (a checkpoint)
///     bytes 8–11    format version, UInt32 little-endian (2)
///     bytes 12–15   N, the header's length, UInt32 little-endian
///     16 ..< 16+N   the JSON header: {"tensors":[{"name":…,"shape":[…],"crc32c":…},…], …}
///     next 4        CRC-32C of the header's N bytes, UInt32 little-endian
///     then          each tensor's values, Float32 little-endian, in the header's order
///
/// Writing goes to a temporary file in the same folder, which is fsynced, renamed over the
/// destination, and the folder fsynced: a crash at any moment leaves the old file or the new
/// one, never a mixture. Reading checks the magic, the version, the header's checksum, every
/// shape against the bytes present, and every tensor's checksum, naming what failed.
enum TensorFile {
  /// The format version this kms writes.
  static let version: UInt32 = 2

  /// One tensor's entry in the header.
  struct Entry: Codable, Equatable {
    var name: String
    var shape: [Int]
    var crc32c: UInt32?
  }

  /// What a file's kind is called in messages, by magic.
  static func kindName(_ magic: [UInt8]) -> String {
    magic == Array("KMSCKPNT".utf8) ? "checkpoint" : "model file"
  }

  /// Writes `header` (whose `tensors` entries are filled in here) and the tensors to `path`.
  /// - Parameters:
  ///   - magic: 8 bytes naming the kind.
  ///   - header: the JSON header's fields besides `tensors`, as a dictionary-like encodable.
  ///   - tensors: names and values, in file order.
  ///   - path: the destination.
  static func write<Header: Encodable>(
    magic: [UInt8], header: (_ entries: [Entry]) -> Header, tensors: [(name: String, value: Tensor)],
    to path: String
  ) throws(ModelFileError) {
    let entries = tensors.map { name, value in
      Entry(name: name, shape: value.shape.dimensions,
            crc32c: CRC32C.checksum(UnsafeRawBufferPointer(start: value.data, count: value.count * 4)))
    }
    let json: Data
    do { json = try JSONEncoder().encode(header(entries)) } catch {
      preconditionFailure("a kms file header always encodes: \(error)")
    }
    var bytes = Data(magic)
    appendUInt32(version, to: &bytes)
    appendUInt32(UInt32(json.count), to: &bytes)
    bytes.append(json)
    appendUInt32(json.withUnsafeBytes { CRC32C.checksum($0) }, to: &bytes)
    for (_, value) in tensors { bytes.append(UnsafeBufferPointer(start: value.data, count: value.count)) }
    try writeAtomically(bytes, to: path, kind: kindName(magic))
  }

  /// The header bytes and tensors of a file written by `write`, every checksum verified.
  /// - Parameters:
  ///   - path: the file.
  ///   - magic: the kind expected.
  ///   - limit: the most Float32 values the file may declare in all (checked before allocating).
  /// - Returns: the JSON header, and each tensor by name, in file order.
  static func read(from path: String, magic: [UInt8], bytes: Data, limit: Int = 1_000_000_000)
    throws(ModelFileError) -> (header: Data, tensors: [(entry: Entry, value: Tensor)])
  {
    let kind = kindName(magic)
    func fail(_ message: String) -> ModelFileError {
      ModelFileError(path: path, message: message, hint: "the file is damaged (a copy cut short or changed?); use an intact copy")
    }
    guard bytes.count >= 16 else { throw fail("the \(kind) is truncated: \(bytes.count) bytes, not even a header") }
    let version = readUInt32(bytes, at: 8), length = Int(readUInt32(bytes, at: 12))
    guard version == TensorFile.version else {
      throw ModelFileError(path: path, message: "\(kind) format \(version) is not one this kms reads (\(TensorFile.version))",
                           hint: version > TensorFile.version ? "a newer kms wrote it; update kms" : nil)
    }
    guard 16 + length + 4 <= bytes.count else {
      throw fail("the \(kind) is truncated inside its header (\(bytes.count) bytes, the header alone needs \(16 + length + 4))")
    }
    let header = bytes.subdata(in: 16..<(16 + length))
    let storedCRC = readUInt32(bytes, at: 16 + length)
    let foundCRC = header.withUnsafeBytes { CRC32C.checksum($0) }
    guard storedCRC == foundCRC else {
      throw fail("the \(kind)'s header fails its checksum (CRC-32C \(hex(storedCRC)) stored, \(hex(foundCRC)) found)")
    }
    struct Listing: Decodable { var tensors: [Entry] }
    guard let listing = try? JSONDecoder().decode(Listing.self, from: header) else {
      throw fail("the \(kind)'s header is not readable JSON with a tensor list")
    }
    var offset = 16 + length + 4
    var total = 0
    for entry in listing.tensors {
      guard entry.shape.allSatisfy({ $0 > 0 && $0 <= 1 << 28 }) else {
        throw fail("tensor '\(entry.name)' has an impossible shape \(entry.shape)")
      }
      let (count, overflow) = entry.shape.reduce((1, false)) { partial, extent in
        let (product, didOverflow) = partial.0.multipliedReportingOverflow(by: extent)
        return (product, partial.1 || didOverflow)
      }
      total += count
      guard !overflow, total <= limit else {
        throw fail("the \(kind) declares more than \(grouped(limit)) values")
      }
    }
    guard offset + total * 4 <= bytes.count else {
      throw fail("the \(kind) is truncated: its tensors need \(grouped(total * 4)) bytes, "
                 + "\(grouped(bytes.count - offset)) are there")
    }
    guard offset + total * 4 == bytes.count else {
      throw fail("the \(kind) has \(grouped(bytes.count - offset - total * 4)) bytes after its last tensor")
    }
    var tensors: [(Entry, Tensor)] = []
    for entry in listing.tensors {
      let value = Tensor(shape: Shape(entry.shape))
      let byteCount = value.count * 4
      bytes.withUnsafeBytes { raw in
        UnsafeMutableRawPointer(value.data).copyMemory(from: raw.baseAddress! + offset, byteCount: byteCount)
      }
      let found = CRC32C.checksum(UnsafeRawBufferPointer(start: value.data, count: byteCount))
      if let stored = entry.crc32c, stored != found {
        throw fail("tensor '\(entry.name)' fails its checksum (CRC-32C \(hex(stored)) stored, \(hex(found)) found)")
      }
      offset += byteCount
      tensors.append((entry, value))
    }
    return (header, tensors)
  }

  /// Writes `bytes` to `path` atomically and durably (`AtomicFile`, the file and its folder
  /// fsynced, so a finished save survives a crash of the machine).
  static func writeAtomically(_ bytes: Data, to path: String, kind: String) throws(ModelFileError) {
    guard !path.isEmpty else {
      throw ModelFileError(path: "\"\"", message: "cannot write the \(kind): the path is empty", hint: nil)
    }
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
      throw ModelFileError(path: path, message: "cannot write the \(kind): it is a folder",
                           hint: "give a file name inside it")
    }
    do {
      try AtomicFile.write(bytes, to: path, durable: true)
    } catch {
      throw ModelFileError(path: path, message: "cannot write the \(kind) (\(error.reason))",
                           hint: "check that the folder exists and is writable")
    }
  }

  static func appendUInt32(_ value: UInt32, to bytes: inout Data) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
  }

  static func readUInt32(_ bytes: Data, at offset: Int) -> UInt32 {
    let start = bytes.startIndex + offset
    return UInt32(bytes[start]) | UInt32(bytes[start + 1]) << 8 | UInt32(bytes[start + 2]) << 16
      | UInt32(bytes[start + 3]) << 24
  }

  static func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16, uppercase: true) }
}
