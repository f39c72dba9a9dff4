// MD5 (Rivest, RFC 1321, April 1992), for checking downloads against the official checksums. Not
// for security: MD5 is broken for that, but it is what KMNIST publishes.
import Foundation

/// An incremental MD5 digest: feed bytes with `update`, read the result with `finalize`.
public struct MD5: Sendable {
  // Per-round shift amounts (RFC 1321 §3.4).
  private static let shifts: [UInt32] = [
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
    5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
  ]
  // T[i] = floor(2^32 · |sin(i + 1)|) (RFC 1321 §3.4), computed once.
  private static let sines: [UInt32] = (0..<64).map {
    UInt32(truncatingIfNeeded: Int64(abs(sin(Double($0 + 1))) * 4_294_967_296.0))
  }

  // State A, B, C, D (RFC 1321 §3.3).
  private var state: (UInt32, UInt32, UInt32, UInt32) = (
    0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476
  )
  private var pending: [UInt8] = []  // fewer than 64 bytes awaiting a full block
  private var totalBytes: UInt64 = 0

  /// Starts an empty digest.
  public init() {}

  /// Feeds more bytes.
  /// - Parameter bytes: the next bytes of the message.
  public mutating func update(_ bytes: UnsafeRawBufferPointer) {
    totalBytes &+= UInt64(bytes.count)
    var offset = 0
    if !pending.isEmpty {
      let take = min(64 - pending.count, bytes.count)
      pending += bytes[0..<take]
      offset = take
      if pending.count == 64 {
        pending.withUnsafeBytes { compress(block: $0) }
        pending.removeAll(keepingCapacity: true)
      }
    }
    while bytes.count - offset >= 64 {
      compress(block: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 64)]))
      offset += 64
    }
    pending += bytes[offset...]
  }

  /// Feeds more bytes.
  /// - Parameter bytes: the next bytes of the message.
  public mutating func update<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
    let contiguous = Array(bytes)
    contiguous.withUnsafeBytes { update($0) }
  }

  /// The 16-byte digest of everything fed so far.
  public func finalize() -> [UInt8] {
    var copy = self
    // Padding: 0x80, zeros to 56 mod 64, then the bit length as 64-bit little-endian (§3.1–3.2).
    let bitLength = totalBytes &* 8
    var tail: [UInt8] = [0x80]
    tail += [UInt8](repeating: 0, count: (55 - Int(totalBytes % 64) + 64) % 64)
    tail += (0..<8).map { UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64($0))) }
    tail.withUnsafeBytes { copy.update($0) }
    let words = [copy.state.0, copy.state.1, copy.state.2, copy.state.3]
    return words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
  }

  /// The digest as 32 lowercase hexadecimal digits.
  public func hexDigest() -> String {
    finalize().map { String($0, radix: 16).leftPadded(to: 2) }.joined()
  }

  /// The MD5 of `bytes` as 32 lowercase hexadecimal digits.
  /// - Parameter bytes: the message.
  public static func hexDigest<Bytes: Collection>(of bytes: Bytes) -> String
  where Bytes.Element == UInt8 {
    var md5 = MD5()
    md5.update(bytes)
    return md5.hexDigest()
  }

  /// The MD5 of a file's contents, read in 1 MiB pieces.
  /// - Parameter path: the file.
  /// - Throws: `DataError` if the file is missing or unreadable.
  public static func hexDigest(ofFileAt path: String) throws -> String {
    guard isFile(path), let handle = FileHandle(forReadingAtPath: path) else {
      throw DataError(.notFound, path: path, "no such file to checksum")
    }
    defer { try? handle.close() }
    var md5 = MD5()
    do {
      while let piece = try handle.read(upToCount: 1 << 20), !piece.isEmpty {
        piece.withUnsafeBytes { md5.update($0) }
      }
    } catch {
      throw DataError(
        .ioFailure, path: path, "cannot read the file (\(error.localizedDescription))")
    }
    return md5.hexDigest()
  }

  /// One 64-byte block through the four rounds (RFC 1321 §3.4).
  private mutating func compress(block: UnsafeRawBufferPointer) {
    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { x in
      for i in 0..<16 {
        x[i] = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
      }
      rounds(x)
    }
  }

  private mutating func rounds(_ x: UnsafeMutableBufferPointer<UInt32>) {
    var (a, b, c, d) = state
    for i in 0..<64 {
      var f: UInt32
      let g: Int
      switch i / 16 {
      case 0: f = (b & c) | (~b & d); g = i  // F
      case 1: f = (d & b) | (~d & c); g = (5 * i + 1) % 16  // G
      case 2: f = b ^ c ^ d; g = (3 * i + 5) % 16  // H
      default: f = c ^ (b | ~d); g = (7 * i) % 16  // I
      }
      f = f &+ a &+ MD5.sines[i] &+ x[g]
      a = d
      d = c
      c = b
      b = b &+ ((f << MD5.shifts[i]) | (f >> (32 - MD5.shifts[i])))
    }
    state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
  }
}
