import KMSTensor

// IDX files (LeCun et al., the MNIST format; KMNIST and Fashion-MNIST use it unchanged):
//
//   offset  size  content
//   0       4     magic, big-endian: 0x00 0x00, element type (0x08 = uint8), rank
//                 -> 0x00000803 = 2051 for images [N, rows, columns]
//                 -> 0x00000801 = 2049 for labels [N]
//   4       4·r   the r dimensions, big-endian uint32
//   4+4·r   ...   N·rows·columns (or N) uint8 elements, C order
//
// Files may be gzip-compressed (the official `.gz` downloads); compression is recognised by its
// signature, not the file name. The header is decoded and checked before the payload is allocated.

/// Uint8 images as the official files store them: `count` images of `rows × columns` pixels,
/// row-major, 0 = background, 255 = ink.
public struct ByteImages: Equatable, Sendable {
  /// The number of images.
  public let count: Int
  /// Pixel rows per image (28 for KMNIST).
  public let rows: Int
  /// Pixel columns per image (28 for KMNIST).
  public let columns: Int
  /// `count · rows · columns` pixels, image after image, each row-major.
  public let pixels: [UInt8]

  /// Creates images from their pixels.
  /// - Parameters:
  ///   - count: the number of images.
  ///   - rows: pixel rows per image, at least 1.
  ///   - columns: pixel columns per image, at least 1.
  ///   - pixels: exactly `count · rows · columns` bytes.
  public init(count: Int, rows: Int, columns: Int, pixels: [UInt8]) {
    precondition(
      count >= 0 && rows > 0 && columns > 0 && pixels.count == count * rows * columns,
      "ByteImages(count: \(count), rows: \(rows), columns: \(columns)) got \(pixels.count) pixels")
    self.count = count
    self.rows = rows
    self.columns = columns
    self.pixels = pixels
  }

  /// Reads images from an IDX file (raw or gzip) or an `.npz` holding `arr_0` of shape
  /// [N, rows, columns] and dtype uint8 (the official `kmnist-*-imgs.npz`).
  /// - Parameter path: the file to read; its format is recognised from its first bytes.
  /// - Throws: `DataError` naming the file and the problem.
  public init(contentsOf path: String) throws {
    let bytes = try readFileBytes(at: path)
    if bytes.starts(with: zipSignature) {
      self = try ByteImages(npzBytes: bytes, path: path)
    } else {
      let (dimensions, payload) = try readIDX(bytes, rank: 3, path: path)
      self.init(count: dimensions[0], rows: dimensions[1], columns: dimensions[2], pixels: payload)
    }
  }

  /// Writes the images as an IDX file, gzip-compressed when `path` ends in `.gz`, atomically.
  /// - Parameter path: the destination file.
  public func writeIDX(to path: String) throws {
    let header = idxHeader(typeCode: 0x08, dimensions: [count, rows, columns])
    try writeIDXBytes(header + pixels, to: path)
  }
}

/// Uint8 class labels as the official files store them, one per image.
public struct ByteLabels: Equatable, Sendable {
  /// The labels, in file order.
  public let values: [UInt8]

  /// Creates labels from their values.
  /// - Parameter values: one label per example.
  public init(_ values: [UInt8]) { self.values = values }

  /// Reads labels from an IDX file (raw or gzip) or an `.npz` holding a one-dimensional integer
  /// `arr_0` (the official `kmnist-*-labels.npz`).
  /// - Parameter path: the file to read; its format is recognised from its first bytes.
  /// - Throws: `DataError` naming the file and the problem.
  public init(contentsOf path: String) throws {
    let bytes = try readFileBytes(at: path)
    if bytes.starts(with: zipSignature) {
      self = try ByteLabels(npzBytes: bytes, path: path)
    } else {
      values = try readIDX(bytes, rank: 1, path: path).payload
    }
  }

  /// Writes the labels as an IDX file, gzip-compressed when `path` ends in `.gz`, atomically.
  /// - Parameter path: the destination file.
  public func writeIDX(to path: String) throws {
    try writeIDXBytes(idxHeader(typeCode: 0x08, dimensions: [values.count]) + values, to: path)
  }
}

/// The 4 + 4·rank header bytes of an IDX file.
func idxHeader(typeCode: UInt8, dimensions: [Int]) -> [UInt8] {
  var header: [UInt8] = [0, 0, typeCode, UInt8(dimensions.count)]
  for extent in dimensions {
    precondition(extent >= 0 && extent <= Int(UInt32.max), "IDX extent \(extent) out of range")
    header += bigEndianBytes(UInt32(extent))
  }
  return header
}

private func bigEndianBytes(_ value: UInt32) -> [UInt8] {
  [
    UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF),
    UInt8(value & 0xFF),
  ]
}

private func writeIDXBytes(_ bytes: [UInt8], to path: String) throws {
  try writeFileAtomically(path.hasSuffix(".gz") ? deflate(bytes, framing: .gzip) : bytes, to: path)
}

// MARK: - Reading

/// IDX element types other than uint8 that a valid file may carry; kms reads only uint8.
private let otherIDXTypes: [UInt8: String] = [
  0x09: "int8", 0x0B: "int16", 0x0C: "int32", 0x0D: "float32", 0x0E: "float64",
]

/// Largest image side accepted. KMNIST is 28; anything beyond this is a damaged header.
let maximumImageSide = 4096

/// A stream of a file's bytes after any gzip decompression.
private protocol IDXByteStream: AnyObject {
  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
  func expectEnd(after expected: Int) throws
}

extension Inflater: IDXByteStream {}

/// An uncompressed file already in memory.
private final class PlainStream: IDXByteStream {
  let bytes: [UInt8]
  let path: String
  var offset = 0
  init(_ bytes: [UInt8], path: String) {
    self.bytes = bytes
    self.path = path
  }
  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let n = min(buffer.count, bytes.count - offset)
    guard n > 0 else { return 0 }
    bytes.withUnsafeBytes { source in
      buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: n)
    }
    offset += n
    return n
  }
  func expectEnd(after expected: Int) throws {
    if offset < bytes.count {
      throw DataError(
        .trailingData, path: path,
        "file is \(grouped(bytes.count)) bytes, but its header accounts for \(grouped(expected))",
        hint: redownloadHint)
    }
  }
}

/// Reads exactly `count` bytes, or as many as the stream still has.
private func readUpTo(_ count: Int, from stream: IDXByteStream) throws -> [UInt8] {
  var result = [UInt8](repeating: 0, count: count)
  let n = try result.withUnsafeMutableBytes { try stream.read(into: $0) }
  result.removeLast(count - n)
  return result
}

/// Decodes an IDX file of uint8 elements and the given rank.
/// - Parameters:
///   - fileBytes: the file as stored (gzip or raw).
///   - rank: 3 for images, 1 for labels.
///   - path: the file, for messages.
/// - Returns: the dimensions and the payload.
func readIDX(_ fileBytes: [UInt8], rank: Int, path: String) throws -> (
  dimensions: [Int], payload: [UInt8]
) {
  let isCompressed = hasGzipSignature(fileBytes)
  let stream: IDXByteStream =
    isCompressed
    ? Inflater(fileBytes, framing: .gzip, path: path) : PlainStream(fileBytes, path: path)
  let what = rank == 3 ? "images" : "labels"
  let expectedMagic = rank == 3 ? "2051 (0x00000803)" : "2049 (0x00000801)"

  // Magic: two zero bytes, the element type, the rank.
  let magic = try readUpTo(4, from: stream)
  guard magic.count == 4 else {
    throw DataError(
      .truncated, path: path,
      "only \(magic.count) bytes\(isCompressed ? " after decompression" : ""); an IDX file starts "
        + "with a 4-byte magic number", hint: redownloadHint)
  }
  let magicHex = "0x" + magic.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
  guard magic[0] == 0, magic[1] == 0, magic[2] == 0x08 || otherIDXTypes[magic[2]] != nil,
    (1...4).contains(magic[3])
  else {
    let looksLike = describeSignature(magic + (try readUpTo(60, from: stream)))
    throw DataError(
      .wrongMagic, path: path,
      "magic number \(magicHex) is not an IDX \(what) header (expected magic \(expectedMagic))",
      hint: (looksLike.map { $0 + "; " } ?? "")
        + "pass an IDX file such as t10k-\(rank == 3 ? "images-idx3" : "labels-idx1")-ubyte.gz")
  }
  if let typeName = otherIDXTypes[magic[2]] {
    throw DataError(
      .unsupported, path: path,
      "IDX elements are \(typeName) (type 0x\(String(magic[2], radix: 16))), "
        + "kms reads uint8 (0x08)",
      hint: "KMNIST and Fashion-MNIST files hold uint8; this file is from another dataset")
  }
  guard Int(magic[3]) == rank else {
    let found =
      magic[3] == 1
      ? "an IDX label file (magic 2049)"
      : magic[3] == 3 ? "an IDX image file (magic 2051)" : "an IDX file of rank \(magic[3])"
    let example = rank == 3 ? "t10k-images-idx3-ubyte.gz" : "t10k-labels-idx1-ubyte.gz"
    throw DataError(
      .wrongKind, path: path,
      "this is \(found), expected \(what) (magic \(rank == 3 ? 2051 : 2049))",
      hint: "pass the \(what) file, such as \(example)")
  }

  // Dimensions, big-endian uint32 each.
  let dimensionBytes = try readUpTo(4 * rank, from: stream)
  guard dimensionBytes.count == 4 * rank else {
    throw DataError(
      .truncated, path: path,
      "header ends after \(4 + dimensionBytes.count) bytes, "
        + "an IDX \(what) header has \(4 + 4 * rank)",
      hint: redownloadHint)
  }
  let dimensions = (0..<rank).map { axis in
    dimensionBytes[(4 * axis)..<(4 * axis + 4)].reduce(0) { $0 << 8 | Int($1) }
  }
  if rank == 3 {
    let (rows, columns) = (dimensions[1], dimensions[2])
    guard (1...maximumImageSide).contains(rows), (1...maximumImageSide).contains(columns) else {
      throw DataError(
        .badHeader, path: path,
        "images of \(rows)×\(columns) pixels are not plausible (expected 1 to \(maximumImageSide) "
          + "per side, 28×28 for KMNIST)", hint: redownloadHint)
    }
  }

  // The payload size against what the file can hold, before allocating it.
  let headerSize = 4 + 4 * rank
  let payloadSize = dimensions.reduce(1, *)  // at most 2^32 · 4096² < 2^63
  let promise =
    rank == 3
    ? "\(grouped(dimensions[0])) images of \(dimensions[1])×\(dimensions[2]) = "
      + "\(grouped(payloadSize)) bytes" : "\(grouped(payloadSize)) labels"
  if isCompressed {
    let limit = maximumInflatedSize(compressedCount: fileBytes.count)
    guard payloadSize <= limit else {
      throw DataError(
        .badHeader, path: path,
        "header promises \(promise), more than a \(grouped(fileBytes.count))-byte gzip file "
          + "can hold",
        hint: redownloadHint)
    }
  } else {
    let available = fileBytes.count - headerSize
    guard payloadSize <= available else {
      throw DataError(
        .truncated, path: path,
        "header promises \(promise), but only \(grouped(available)) bytes follow the header",
        hint: redownloadHint)
    }
  }

  let payload = try readUpTo(payloadSize, from: stream)
  guard payload.count == payloadSize else {
    throw DataError(
      .truncated, path: path,
      "header promises \(promise), but the data ends after \(grouped(payload.count)) bytes",
      hint: redownloadHint)
  }
  try stream.expectEnd(after: headerSize + payloadSize)
  return (dimensions, payload)
}

extension String {
  /// The string padded on the left with zeros to `width` characters.
  func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
