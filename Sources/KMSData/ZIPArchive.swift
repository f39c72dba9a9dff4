import KMSTensor

// ZIP archives, just enough for NumPy's .npz: read stored (method 0) and DEFLATE (method 8)
// members, including the ZIP64 extra field NumPy writes; write stored or DEFLATE members.
// Layout per PKWARE APPNOTE.TXT 6.3: local headers and data, then the central directory, then the
// end-of-central-directory record (EOCD), all little-endian.

/// The 4-byte signature a ZIP file starts with, `PK\x03\x04`.
let zipSignature: [UInt8] = [0x50, 0x4B, 0x03, 0x04]

/// A ZIP archive read into memory; members are decompressed on request.
struct ZIPArchive {
  /// One member, as described by the central directory.
  struct Member {
    let name: String
    let method: UInt16
    let flags: UInt16
    let crc32: UInt32
    let compressedSize: Int
    let uncompressedSize: Int
    let localHeaderOffset: Int
  }

  let bytes: [UInt8]
  let path: String
  let members: [Member]

  /// Parses the archive's directory.
  /// - Parameters:
  ///   - bytes: the whole file.
  ///   - path: the file, for messages.
  init(_ bytes: [UInt8], path: String) throws {
    self.bytes = bytes
    self.path = path
    guard bytes.starts(with: zipSignature) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06]) else {
      throw DataError(
        .wrongMagic, path: path, "not a ZIP archive (an .npz file is a ZIP)",
        hint: describeSignature(bytes) ?? "pass an .npz file such as kmnist-test-imgs.npz")
    }
    // The EOCD is 22 bytes plus a comment of at most 65,535: search backwards for it.
    let eocdSignature: UInt32 = 0x0605_4B50
    var eocd = -1
    var candidate = bytes.count - 22
    while candidate >= max(0, bytes.count - 22 - 65_535) {
      if readUInt32(bytes, candidate) == eocdSignature { eocd = candidate; break }
      candidate -= 1
    }
    guard eocd >= 0 else {
      throw DataError(
        .truncated, path: path, "the ZIP end-of-directory record is missing (file cut short?)",
        hint: redownloadHint)
    }
    let entryCount = Int(readUInt16(bytes, eocd + 10))
    let directorySize = Int(readUInt32(bytes, eocd + 12))
    let directoryOffset = Int(readUInt32(bytes, eocd + 16))
    if entryCount == 0xFFFF || directoryOffset == 0xFFFF_FFFF {
      throw DataError(.unsupported, path: path, "ZIP64 archives over 4 GiB are not supported")
    }
    guard directoryOffset + directorySize <= eocd else {
      throw DataError(
        .corrupt, path: path,
        "the ZIP directory (offset \(directoryOffset), \(directorySize) bytes) lies outside "
          + "the file",
        hint: redownloadHint)
    }

    var members: [Member] = []
    var offset = directoryOffset
    for index in 0..<entryCount {
      guard offset + 46 <= eocd, readUInt32(bytes, offset) == 0x0201_4B50 else {
        throw DataError(
          .corrupt, path: path, "ZIP directory entry \(index) is damaged", hint: redownloadHint)
      }
      let nameLength = Int(readUInt16(bytes, offset + 28))
      let extraLength = Int(readUInt16(bytes, offset + 30))
      let commentLength = Int(readUInt16(bytes, offset + 32))
      let end = offset + 46 + nameLength + extraLength + commentLength
      guard end <= eocd else {
        throw DataError(
          .corrupt, path: path, "ZIP directory entry \(index) runs past the directory",
          hint: redownloadHint)
      }
      let name = String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
      var compressedSize = Int(readUInt32(bytes, offset + 20))
      var uncompressedSize = Int(readUInt32(bytes, offset + 24))
      var localHeaderOffset = Int(readUInt32(bytes, offset + 42))
      // ZIP64 extra field (id 0x0001): 8-byte values for whichever 32-bit fields are 0xFFFFFFFF,
      // in the order uncompressed size, compressed size, local header offset (APPNOTE 4.5.3).
      var extra = offset + 46 + nameLength
      let extraEnd = extra + extraLength
      while extra + 4 <= extraEnd {
        let id = readUInt16(bytes, extra)
        let size = Int(readUInt16(bytes, extra + 2))
        if id == 0x0001 {
          var field = extra + 4
          let fieldEnd = min(extra + 4 + size, extraEnd)
          func next(_ current: Int) -> Int {
            guard current == 0xFFFF_FFFF, field + 8 <= fieldEnd else { return current }
            defer { field += 8 }
            return Int(truncatingIfNeeded: readUInt64(bytes, field))
          }
          uncompressedSize = next(uncompressedSize)
          compressedSize = next(compressedSize)
          localHeaderOffset = next(localHeaderOffset)
        }
        extra += 4 + size
      }
      guard uncompressedSize >= 0, compressedSize >= 0, localHeaderOffset >= 0 else {
        throw DataError(
          .corrupt, path: path, "ZIP directory entry \(index) has impossible sizes",
          hint: redownloadHint)
      }
      members.append(
        Member(
          name: name, method: readUInt16(bytes, offset + 10), flags: readUInt16(bytes, offset + 8),
          crc32: readUInt32(bytes, offset + 16), compressedSize: compressedSize,
          uncompressedSize: uncompressedSize, localHeaderOffset: localHeaderOffset))
      offset = end
    }
    self.members = members
  }

  /// The decompressed contents of `member`, checked against its size and CRC-32.
  func contents(of member: Member) throws -> [UInt8] {
    let label = "\(path) (member \(member.name))"
    if member.flags & 1 != 0 {
      throw DataError(.unsupported, path: label, "the member is encrypted")
    }
    guard member.method == 0 || member.method == 8 else {
      throw DataError(
        .unsupported, path: label,
        "compression method \(member.method); kms reads stored (0) and DEFLATE (8) members",
        hint: "re-save the arrays with numpy.savez or numpy.savez_compressed")
    }
    // The local header repeats name and extra with its own lengths; the data follows it.
    let local = member.localHeaderOffset
    guard local <= bytes.count - 30, readUInt32(bytes, local) == 0x0403_4B50 else {
      throw DataError(
        .corrupt, path: label, "the member's local header is missing or damaged",
        hint: redownloadHint)
    }
    let dataStart =
      local + 30 + Int(readUInt16(bytes, local + 26))
      + Int(readUInt16(bytes, local + 28))
    guard member.compressedSize <= bytes.count - dataStart else {
      throw DataError(
        .truncated, path: label,
        "the member's \(grouped(member.compressedSize)) bytes run past the end of the file",
        hint: redownloadHint)
    }
    let stored = Array(bytes[dataStart..<(dataStart + member.compressedSize)])
    let data: [UInt8]
    if member.method == 0 {
      guard member.compressedSize == member.uncompressedSize else {
        throw DataError(
          .corrupt, path: label, "a stored member's sizes disagree", hint: redownloadHint)
      }
      data = stored
    } else {
      guard member.uncompressedSize <= maximumInflatedSize(compressedCount: stored.count) else {
        throw DataError(
          .corrupt, path: label,
          "the directory promises \(grouped(member.uncompressedSize)) bytes, more than "
            + "\(grouped(stored.count)) compressed bytes can hold", hint: redownloadHint)
      }
      let inflater = Inflater(stored, framing: .raw, path: label)
      var output = [UInt8](repeating: 0, count: member.uncompressedSize)
      let n = try output.withUnsafeMutableBytes { try inflater.read(into: $0) }
      guard n == member.uncompressedSize else {
        throw DataError(
          .truncated, path: label,
          "the member inflates to \(grouped(n)) bytes, its directory entry says "
            + "\(grouped(member.uncompressedSize))", hint: redownloadHint)
      }
      try inflater.expectEnd(after: member.uncompressedSize)
      data = output
    }
    guard data.withUnsafeBytes({ crc32(of: $0) }) == member.crc32 else {
      throw DataError(
        .corrupt, path: label, "CRC-32 mismatch in the member's data",
        hint: redownloadHint)
    }
    return data
  }

  /// Builds a ZIP archive holding `members` in order, each stored or DEFLATE-compressed.
  /// - Parameter members: name, contents and whether to compress each member.
  static func archive(_ members: [(name: String, data: [UInt8], compressed: Bool)]) -> [UInt8] {
    var output: [UInt8] = []
    var directory: [UInt8] = []
    for member in members {
      let body = member.compressed ? deflate(member.data, framing: .raw) : member.data
      let crc = member.data.withUnsafeBytes { crc32(of: $0) }
      let name = Array(member.name.utf8)
      precondition(
        output.count < 0xFFFF_FFFF && body.count < 0xFFFF_FFFF,
        "ZIP writer: member \(member.name) needs ZIP64, which kms does not write")
      let method: UInt16 = member.compressed ? 8 : 0
      // Fields shared by the local header and the directory entry, from "version needed" on.
      var common: [UInt8] = []
      common += le16(20) + le16(0) + le16(method)  // version 2.0, no flags, method
      common += le16(0) + le16(0x21)  // mod time 00:00:00, date 1980-01-01
      common += le32(crc) + le32(UInt32(body.count)) + le32(UInt32(member.data.count))
      common += le16(UInt16(name.count)) + le16(0)  // name length, no extra field
      directory += le32(0x0201_4B50) + le16(0x031E) + common  // made by: Unix, spec 3.0
      directory += le16(0) + le16(0) + le16(0)  // comment length, disk, internal attributes
      directory += le32(0o100644 << 16) + le32(UInt32(output.count)) + name
      output += le32(0x0403_4B50) + common + name + body
    }
    let directoryOffset = output.count
    output += directory
    output += le32(0x0605_4B50) + le16(0) + le16(0)  // EOCD, disk numbers
    output += le16(UInt16(members.count)) + le16(UInt16(members.count))
    output += le32(UInt32(directory.count)) + le32(UInt32(directoryOffset)) + le16(0)
    return output
  }
}

// Little-endian field access. Callers check bounds first; reading past the end yields zeros.
func readUInt16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
  UInt16(truncatingIfNeeded: readLittleEndian(bytes, offset, 2))
}
func readUInt32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
  UInt32(truncatingIfNeeded: readLittleEndian(bytes, offset, 4))
}
func readUInt64(_ bytes: [UInt8], _ offset: Int) -> UInt64 { readLittleEndian(bytes, offset, 8) }
private func readLittleEndian(_ bytes: [UInt8], _ offset: Int, _ width: Int) -> UInt64 {
  var value: UInt64 = 0
  for i in stride(from: width - 1, through: 0, by: -1) {
    let index = offset + i
    value = value << 8 | UInt64(index >= 0 && index < bytes.count ? bytes[index] : 0)
  }
  return value
}
func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
