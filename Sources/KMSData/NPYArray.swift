import KMSTensor

// NumPy's .npy format (numpy/lib/format.py, "NEP 1"):
//
//   "\x93NUMPY", major, minor version bytes
//   header length: uint16 LE (v1.0) or uint32 LE (v2.0, v3.0)
//   header: a Python dict literal such as
//           {'descr': '|u1', 'fortran_order': False, 'shape': (10000, 28, 28), }
//           padded with spaces and ending in '\n'
//   data: the elements, C order, in the dtype's byte order
//
// .npz is a ZIP of such files, one per array, named "<key>.npy" (numpy.savez: stored members,
// numpy.savez_compressed: DEFLATE).

/// An n-dimensional array as NumPy stores it: a shape, an element type, and the raw element bytes
/// in C order, little-endian.
public struct NPYArray: Equatable, Sendable {
  /// The element types kms reads: unsigned and signed integers and floats, little-endian.
  public enum ElementType: String, Equatable, Sendable, CaseIterable {
    case uint8 = "u1", int8 = "i1", uint16 = "u2", int16 = "i2", uint32 = "u4", int32 = "i4"
    case uint64 = "u8", int64 = "i8", float32 = "f4", float64 = "f8"

    /// Bytes per element.
    public var byteCount: Int { Int(rawValue.dropFirst())! }

    /// The dtype string NumPy writes: `|u1` for single bytes, `<i8` for little-endian wider ones.
    public var descriptor: String { (byteCount == 1 ? "|" : "<") + rawValue }
  }

  /// The extent of each axis, outermost first.
  public let shape: [Int]
  /// The type of each element.
  public let elementType: ElementType
  /// `shape.product · elementType.byteCount` bytes, C order, little-endian.
  public let bytes: [UInt8]

  /// Creates an array from its raw bytes.
  /// - Parameters:
  ///   - shape: axis extents, each zero or more.
  ///   - elementType: the element type.
  ///   - bytes: exactly `shape.product · elementType.byteCount` bytes.
  public init(shape: [Int], elementType: ElementType, bytes: [UInt8]) {
    precondition(
      shape.allSatisfy { $0 >= 0 }
        && bytes.count == shape.reduce(1, *) * elementType.byteCount,
      "NPYArray(shape: \(shape), \(elementType)) got \(bytes.count) bytes")
    self.shape = shape
    self.elementType = elementType
    self.bytes = bytes
  }

  /// Creates a uint8 array.
  /// - Parameters:
  ///   - values: the elements in C order.
  ///   - shape: axis extents whose product is `values.count`.
  public init(uint8 values: [UInt8], shape: [Int]) {
    self.init(shape: shape, elementType: .uint8, bytes: values)
  }

  /// The number of elements.
  public var elementCount: Int { shape.reduce(1, *) }

  /// The elements as integers, or nil for a float array.
  public var integers: [Int]? {
    let width = elementType.byteCount
    let isSigned = elementType.rawValue.hasPrefix("i")
    guard !elementType.rawValue.hasPrefix("f") else { return nil }
    return (0..<elementCount).map { index in
      var value: UInt64 = 0
      for byte in (0..<width).reversed() {
        value = value << 8 | UInt64(bytes[index * width + byte])
      }
      if isSigned && width < 8 && value >> (8 * width - 1) == 1 {
        value |= ~0 << (8 * width)  // sign-extend
      }
      return Int(truncatingIfNeeded: value)
    }
  }

  /// Decodes a `.npy` file's bytes.
  /// - Parameters:
  ///   - npyBytes: the whole .npy file.
  ///   - path: the file (or archive member), for messages.
  /// - Throws: `DataError` when the magic, header, dtype, order or size is wrong.
  public init(npyBytes: [UInt8], path: String) throws {
    let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    guard npyBytes.starts(with: magic) else {
      throw DataError(
        .wrongMagic, path: path, "not a .npy file (it must start with \\x93NUMPY)",
        hint: describeSignature(npyBytes) ?? redownloadHint)
    }
    guard npyBytes.count >= 10 else {
      throw DataError(
        .truncated, path: path, "the .npy preamble is cut short", hint: redownloadHint)
    }
    let (major, minor) = (npyBytes[6], npyBytes[7])
    let lengthSize: Int
    switch (major, minor) {
    case (1, 0): lengthSize = 2
    case (2, 0), (3, 0): lengthSize = 4
    default:
      throw DataError(
        .unsupported, path: path, ".npy version \(major).\(minor); kms reads 1.0, 2.0 and 3.0")
    }
    let headerLength =
      lengthSize == 2 ? Int(readUInt16(npyBytes, 8)) : Int(readUInt32(npyBytes, 8))
    let headerStart = 8 + lengthSize
    guard headerLength <= npyBytes.count - headerStart else {
      throw DataError(
        .truncated, path: path,
        "the .npy header claims \(headerLength) bytes, the file ends before that",
        hint: redownloadHint)
    }
    let header = String(
      decoding: npyBytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
    let fields = try parseNPYHeader(header, path: path)

    // dtype: byte order mark ('|' none, '<' little, '=' native, which is little on x86 and arm64).
    var descriptor = Substring(fields.descriptor)
    let order = descriptor.first.flatMap { "<|=>".contains($0) ? $0 : nil }
    if order != nil { descriptor = descriptor.dropFirst() }
    guard let type = ElementType(rawValue: String(descriptor)) else {
      throw DataError(
        .unsupported, path: path,
        "dtype '\(fields.descriptor)'; kms reads unsigned/signed integers and float32/float64",
        hint: "KMNIST's .npz files hold |u1 images and labels")
    }
    if order == ">" && type.byteCount > 1 {
      throw DataError(
        .unsupported, path: path, "big-endian dtype '\(fields.descriptor)'",
        hint: "re-save the array little-endian (array.astype('<\(type.rawValue)'))")
    }
    if fields.isFortranOrder && fields.shape.count > 1 {
      throw DataError(
        .unsupported, path: path, "the array is in Fortran order, kms reads C order",
        hint: "re-save it with numpy.ascontiguousarray")
    }

    // Size: the header's shape against the bytes that follow, with overflow-safe arithmetic.
    let dataStart = headerStart + headerLength
    var expected = type.byteCount
    for extent in fields.shape {
      let (product, overflow) = expected.multipliedReportingOverflow(by: extent)
      guard !overflow else {
        throw DataError(.badHeader, path: path, "shape \(fields.shape) is impossibly large")
      }
      expected = product
    }
    let available = npyBytes.count - dataStart
    guard expected <= available else {
      throw DataError(
        .truncated, path: path,
        "shape \(fields.shape) of \(type.descriptor) needs \(grouped(expected)) bytes, only "
          + "\(grouped(available)) follow the header", hint: redownloadHint)
    }
    guard expected == available else {
      throw DataError(
        .trailingData, path: path,
        "shape \(fields.shape) of \(type.descriptor) needs \(grouped(expected)) bytes, "
          + "\(grouped(available)) follow the header", hint: redownloadHint)
    }
    self.init(shape: fields.shape, elementType: type, bytes: Array(npyBytes[dataStart...]))
  }

  /// The array as a version 1.0 `.npy` file, as `numpy.save` writes it.
  public func npyBytes() -> [UInt8] {
    let shapeText =
      shape.count == 1
      ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header =
      "{'descr': '\(elementType.descriptor)', 'fortran_order': False, 'shape': \(shapeText), }"
    // Pad with spaces so that magic + length + header + '\n' is a multiple of 64 (NumPy ≥ 1.18).
    let unpadded = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    let magic: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
    return magic + le16(UInt16(header.utf8.count)) + Array(header.utf8) + bytes
  }
}

/// The three fields of a .npy header.
private struct NPYHeaderFields {
  var descriptor = ""
  var isFortranOrder = false
  var shape: [Int] = []
}

/// Parses the header's Python dict literal: string keys, and values that are a string, True/False,
/// or a tuple of integers. Anything else is an error naming the header.
private func parseNPYHeader(_ header: String, path: String) throws -> NPYHeaderFields {
  func bad(_ what: String) -> DataError {
    DataError(
      .badHeader, path: path, "cannot read the .npy header (\(what)): \(header.trimmed)",
      hint: redownloadHint)
  }
  var scanner = Array(header.unicodeScalars)[...]
  func skipSpace() {
    while let c = scanner.first, c == " " || c == "\n" || c == "\t" { scanner.removeFirst() }
  }
  func expect(_ c: Unicode.Scalar) throws {
    skipSpace()
    guard scanner.first == c else { throw bad("expected '\(c)'") }
    scanner.removeFirst()
  }
  func string() throws -> String {
    skipSpace()
    guard let quote = scanner.first, quote == "'" || quote == "\"" else {
      throw bad("expected a quoted string")
    }
    scanner.removeFirst()
    guard let end = scanner.firstIndex(of: quote) else { throw bad("unterminated string") }
    let text = String(String.UnicodeScalarView(scanner[..<end]))
    scanner = scanner[(end + 1)...]
    return text
  }
  func integer() throws -> Int {
    skipSpace()
    var digits = ""
    while let c = scanner.first, ("0"..."9").contains(c) {
      digits.unicodeScalars.append(c); scanner.removeFirst()
    }
    // NOTE: Python 2 era files may write 10000L.
    if scanner.first == "L" { scanner.removeFirst() }
    guard let value = Int(digits) else { throw bad("expected a non-negative integer") }
    return value
  }

  var fields = NPYHeaderFields()
  var seen = Set<String>()
  try expect("{")
  while true {
    skipSpace()
    if scanner.first == "}" { scanner.removeFirst(); break }
    let key = try string()
    try expect(":")
    skipSpace()
    switch key {
    case "descr":
      fields.descriptor = try string()
    case "fortran_order":
      if scanner.starts(with: "True".unicodeScalars) {
        fields.isFortranOrder = true
        scanner = scanner.dropFirst(4)
      } else if scanner.starts(with: "False".unicodeScalars) {
        scanner = scanner.dropFirst(5)
      } else {
        throw bad("fortran_order must be True or False")
      }
    case "shape":
      try expect("(")
      skipSpace()
      while scanner.first != ")" {
        fields.shape.append(try integer())
        skipSpace()
        if scanner.first == "," { scanner.removeFirst(); skipSpace() } else { break }
      }
      try expect(")")
    default:
      throw bad("unexpected key '\(key)'")
    }
    seen.insert(key)
    skipSpace()
    if scanner.first == "," { scanner.removeFirst() } else { try expect("}"); break }
  }
  guard seen == ["descr", "fortran_order", "shape"] else {
    throw bad("missing \(Set(["descr", "fortran_order", "shape"]).subtracting(seen).sorted())")
  }
  return fields
}

extension String {
  var trimmed: String {
    String(self.drop { $0 == " " }.reversed().drop { $0 == " " || $0 == "\n" }.reversed())
  }
}

/// NumPy `.npz` archives: a ZIP holding one `.npy` member per array.
public enum NPZFile {
  /// Reads every array of an `.npz` file, keyed by member name without `.npy` (`arr_0`, …).
  /// - Parameter path: the archive.
  /// - Throws: `DataError` naming the archive (and member) and the problem.
  public static func read(at path: String) throws -> [String: NPYArray] {
    try arrays(in: try readFileBytes(at: path), path: path)
  }

  /// Decodes every array of an in-memory `.npz` archive.
  static func arrays(in bytes: [UInt8], path: String) throws -> [String: NPYArray] {
    let archive = try ZIPArchive(bytes, path: path)
    var arrays: [String: NPYArray] = [:]
    for member in archive.members where member.name.hasSuffix(".npy") {
      let key = String(member.name.dropLast(4))
      arrays[key] = try NPYArray(
        npyBytes: try archive.contents(of: member), path: "\(path) (member \(member.name))")
    }
    return arrays
  }

  /// Writes arrays as an `.npz` archive, atomically; members appear in the given order.
  /// - Parameters:
  ///   - arrays: (key, array) pairs; each becomes member `key.npy`.
  ///   - path: the destination file.
  ///   - compressed: DEFLATE members as `numpy.savez_compressed` writes, or stored ones as
  ///     `numpy.savez` does.
  public static func write(
    _ arrays: [(key: String, array: NPYArray)], to path: String,
    compressed: Bool
  ) throws {
    let members = arrays.map {
      (name: $0.key + ".npy", data: $0.array.npyBytes(), compressed: compressed)
    }
    try writeFileAtomically(ZIPArchive.archive(members), to: path)
  }
}

/// The single array `arr_0` of an official KMNIST `.npz` file, or an error naming what was found.
private func onlyArray(in bytes: [UInt8], path: String) throws -> NPYArray {
  let arrays = try NPZFile.arrays(in: bytes, path: path)
  guard let array = arrays["arr_0"] ?? (arrays.count == 1 ? arrays.first!.value : nil) else {
    throw DataError(
      .wrongKind, path: path,
      "expected one array named arr_0, found \(arrays.keys.sorted())",
      hint: "pass an official KMNIST .npz such as kmnist-test-imgs.npz")
  }
  return array
}

extension ByteImages {
  /// Decodes images from the bytes of an `.npz` holding uint8 `arr_0` of shape [N, rows, columns].
  init(npzBytes: [UInt8], path: String) throws {
    let array = try onlyArray(in: npzBytes, path: path)
    guard array.shape.count == 3 else {
      throw DataError(
        .wrongKind, path: path,
        "arr_0 has shape \(array.shape); images need [count, rows, columns]"
          + (array.shape.count == 1 ? " (this looks like a labels file)" : ""),
        hint: "pass the images file, such as kmnist-test-imgs.npz")
    }
    guard array.elementType == .uint8 else {
      throw DataError(
        .unsupported, path: path, "images have dtype \(array.elementType.descriptor), expected |u1")
    }
    let (rows, columns) = (array.shape[1], array.shape[2])
    guard (1...maximumImageSide).contains(rows), (1...maximumImageSide).contains(columns) else {
      throw DataError(
        .badHeader, path: path, "images of \(rows)×\(columns) pixels are not plausible")
    }
    self.init(count: array.shape[0], rows: rows, columns: columns, pixels: array.bytes)
  }

  /// Writes the images as an `.npz` holding `arr_0` [count, rows, columns] uint8, atomically.
  /// - Parameters:
  ///   - path: the destination file.
  ///   - compressed: DEFLATE members (the official files' choice) or stored ones.
  public func writeNPZ(to path: String, compressed: Bool = true) throws {
    let array = NPYArray(uint8: pixels, shape: [count, rows, columns])
    try NPZFile.write([("arr_0", array)], to: path, compressed: compressed)
  }
}

extension ByteLabels {
  /// Decodes labels from the bytes of an `.npz` holding a one-dimensional integer `arr_0`.
  init(npzBytes: [UInt8], path: String) throws {
    let array = try onlyArray(in: npzBytes, path: path)
    guard array.shape.count == 1 else {
      throw DataError(
        .wrongKind, path: path,
        "arr_0 has shape \(array.shape); labels need one axis"
          + (array.shape.count == 3 ? " (this looks like an images file)" : ""),
        hint: "pass the labels file, such as kmnist-test-labels.npz")
    }
    guard let integers = array.integers else {
      throw DataError(
        .unsupported, path: path,
        "labels have dtype \(array.elementType.descriptor), expected integers")
    }
    if let bad = integers.first(where: { !(0...255).contains($0) }) {
      throw DataError(.badHeader, path: path, "label \(bad) is outside 0...255")
    }
    self.init(integers.map { UInt8($0) })
  }

  /// Writes the labels as an `.npz` holding `arr_0` [count] uint8, atomically.
  /// - Parameters:
  ///   - path: the destination file.
  ///   - compressed: DEFLATE members (the official files' choice) or stored ones.
  public func writeNPZ(to path: String, compressed: Bool = true) throws {
    let array = NPYArray(uint8: values, shape: [values.count])
    try NPZFile.write([("arr_0", array)], to: path, compressed: compressed)
  }
}
