// The only file that talks to zlib: gzip and raw DEFLATE, both ways, and CRC-32.
//
// Reading streams: `Inflater` hands out decompressed bytes on demand, so a reader can decode a
// 16-byte IDX header, check it, and only then allocate the full payload.
internal import CZlib
import KMSTensor

/// The framing around a DEFLATE stream.
enum DeflateFraming {
  /// RFC 1952 gzip members (header, deflate data, CRC-32 and length trailer), as in `.gz` files.
  case gzip
  /// Bare RFC 1951 deflate data, as stored in a ZIP member (method 8).
  case raw

  /// zlib's `windowBits`: 15 (32 KiB window), +16 for gzip framing, negated for raw.
  var windowBits: Int32 { self == .gzip ? 15 + 16 : -15 }
}

/// True when `bytes` start with the gzip signature 1f 8b (RFC 1952 §2.3.1).
func hasGzipSignature(_ bytes: [UInt8]) -> Bool {
  bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
}

/// The most bytes `compressedCount` bytes of DEFLATE data can expand to: deflate's best ratio is
/// 1032:1 (a 258-byte match costs at least 2 bits), so a header promising more is a lie we can
/// reject before allocating. The slack covers tiny inputs.
func maximumInflatedSize(compressedCount: Int) -> Int {
  compressedCount.multipliedReportingOverflow(by: 1032).partialValue + 1024
}

/// Decompresses an in-memory gzip file or raw DEFLATE stream piece by piece.
///
/// Errors name `path`: a stream that stops early is `.truncated`, damaged data or a CRC/length
/// mismatch in the gzip trailer is `.corrupt`. Concatenated gzip members are read as one stream,
/// as `gunzip` does.
final class Inflater {
  private let input: [UInt8]
  private let framing: DeflateFraming
  private let path: String
  private let stream: UnsafeMutablePointer<z_stream>
  private var consumed = 0
  /// True once the (last) stream has ended and no input is left.
  private(set) var isAtEnd = false
  /// Decompressed bytes handed out so far.
  private(set) var produced = 0

  /// Starts decompressing `input`.
  /// - Parameters:
  ///   - input: the whole compressed file or member.
  ///   - framing: gzip or raw deflate.
  ///   - path: the file, for error messages.
  init(_ input: [UInt8], framing: DeflateFraming, path: String) {
    self.input = input
    self.framing = framing
    self.path = path
    stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    let status = inflateInit2_(
      stream, framing.windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    // NOTE: init fails only for a zlib version mismatch or out of memory: not a data problem.
    precondition(status == Z_OK, "inflateInit2 failed with zlib status \(status)")
  }

  deinit {
    inflateEnd(stream)
    stream.deinitialize(count: 1)
    stream.deallocate()
  }

  /// Fills `buffer` with the next decompressed bytes; returns how many were written, fewer than
  /// `buffer.count` only when the stream has ended.
  /// - Parameter buffer: where to write.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard !input.isEmpty else {
      throw DataError(.truncated, path: path, "the compressed data is empty", hint: redownloadHint)
    }
    var written = 0
    while written < buffer.count && !isAtEnd {
      // zlib counts in 32 bits: offer at most 4 GiB a pass, the loop does the rest.
      let offeredInput = UInt32(clamping: input.count - consumed)
      let offeredOutput = UInt32(clamping: buffer.count - written)
      let status = input.withUnsafeBufferPointer { source -> Int32 in
        stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress! + consumed)
        stream.pointee.avail_in = offeredInput
        stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + written
        stream.pointee.avail_out = offeredOutput
        return inflate(stream, Z_NO_FLUSH)
      }
      consumed += Int(offeredInput - stream.pointee.avail_in)
      written += Int(offeredOutput - stream.pointee.avail_out)
      switch status {
      case Z_STREAM_END:
        try endMember()
      case Z_OK:
        continue
      case Z_BUF_ERROR:
        // No progress possible with output space left: zlib wants input we do not have.
        throw DataError(
          .truncated, path: path,
          "compressed stream ends early, after \(produced + written) decompressed bytes",
          hint: redownloadHint)
      default:
        let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
        throw DataError(
          .corrupt, path: path, "damaged compressed data (\(reason))",
          hint: redownloadHint)
      }
    }
    produced += written
    return written
  }

  /// At the end of a gzip member: another member may follow (multi-member files); anything else
  /// after the last member is an error. A raw stream must use all its input.
  private func endMember() throws {
    let rest = Array(input[consumed...].prefix(2))
    if rest.isEmpty {
      isAtEnd = true
    } else if framing == .gzip && hasGzipSignature(rest) {
      inflateReset(stream)
    } else {
      throw DataError(
        .trailingData, path: path,
        "\(input.count - consumed) unexpected bytes after the end of the compressed stream",
        hint: redownloadHint)
    }
  }

  /// Confirms the stream holds nothing beyond what was read.
  /// - Parameter expected: what the caller expected the total to be, for the message.
  func expectEnd(after expected: Int) throws {
    var scratch = [UInt8](repeating: 0, count: 4096)
    let extra = try scratch.withUnsafeMutableBytes { try read(into: $0) }
    if extra > 0 {
      throw DataError(
        .trailingData, path: path,
        "decompressed data is longer than the \(grouped(expected)) bytes expected",
        hint: redownloadHint)
    }
  }
}

/// Compresses `bytes` with zlib at level 9 (what Python's `gzip` module uses for the official
/// files). Gzip output has mtime 0 and no file name, so the same input gives the same bytes.
/// - Parameters:
///   - bytes: the data to compress.
///   - framing: gzip or raw deflate.
func deflate(_ bytes: [UInt8], framing: DeflateFraming) -> [UInt8] {
  precondition(bytes.count < Int(UInt32.max), "deflate: \(bytes.count) bytes is over zlib's 4 GiB")
  var stream = z_stream()
  var status = deflateInit2_(
    &stream, 9, Z_DEFLATED, framing.windowBits, 9, Z_DEFAULT_STRATEGY, zlibVersion(),
    Int32(MemoryLayout<z_stream>.size))
  precondition(status == Z_OK, "deflateInit2 failed with zlib status \(status)")
  defer { deflateEnd(&stream) }
  // deflateBound is exact for a one-shot call; 18 bytes more covers the gzip header and trailer.
  let capacity = Int(deflateBound(&stream, UInt(bytes.count))) + 18
  var output = [UInt8](repeating: 0, count: capacity)
  bytes.withUnsafeBufferPointer { source in
    output.withUnsafeMutableBufferPointer { target in
      stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
      stream.avail_in = UInt32(source.count)
      stream.next_out = target.baseAddress
      stream.avail_out = UInt32(target.count)
      status = CZlib.deflate(&stream, Z_FINISH)
    }
  }
  precondition(status == Z_STREAM_END, "deflate did not finish in one call (zlib status \(status))")
  output.removeLast(Int(stream.avail_out))
  return output
}

/// The CRC-32 (ISO 3309, as in gzip and ZIP) of `bytes`.
/// - Parameter bytes: the data to check.
func crc32(of bytes: UnsafeRawBufferPointer) -> UInt32 {
  guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
  var crc = CZlib.crc32(0, nil, 0)
  var offset = 0
  // zlib's crc32 takes a 32-bit length: feed it in 1 GiB pieces.
  while offset < bytes.count {
    let piece = min(bytes.count - offset, 1 << 30)
    crc = CZlib.crc32(crc, base.assumingMemoryBound(to: UInt8.self) + offset, UInt32(piece))
    offset += piece
  }
  return UInt32(crc)
}
