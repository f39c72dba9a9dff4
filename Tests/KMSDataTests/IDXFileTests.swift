import Foundation
import Testing

@testable import KMSData

@Suite("IDX files")
struct IDXFileTests {
  /// Raw IDX bytes: a header for `dimensions` (magic 0x0000 08 rank) and the given payload.
  func idx(_ dimensions: [Int], payload: [UInt8], typeCode: UInt8 = 0x08) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, typeCode, UInt8(dimensions.count)]
    for d in dimensions {
      bytes += [UInt8(d >> 24), UInt8((d >> 16) & 255), UInt8((d >> 8) & 255), UInt8(d & 255)]
    }
    return bytes + payload
  }

  func write(_ bytes: [UInt8], _ name: String, in folder: TemporaryFolder) throws -> String {
    let path = folder.file(name)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// The DataError thrown by `body`, or a recorded failure.
  func error(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation)
    -> DataError?
  {
    do {
      try body()
      Issue.record("expected a DataError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as DataError {
      return error
    } catch {
      Issue.record("expected a DataError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
  }

  @Test("writes and reads images and labels, raw and gzip", arguments: ["raw.idx", "packed.gz"])
  func roundTrip(name: String) throws {
    let folder = try TemporaryFolder()
    let (images, labels) = syntheticImages(perClass: 3, rows: 5, columns: 7)
    try images.writeIDX(to: folder.file("images-" + name))
    try labels.writeIDX(to: folder.file("labels-" + name))
    let imageBytes = try Data(contentsOf: URL(fileURLWithPath: folder.file("images-" + name)))
    #expect(imageBytes.starts(with: name.hasSuffix(".gz") ? [0x1F, 0x8B] : [0, 0, 8, 3]))
    #expect(try ByteImages(contentsOf: folder.file("images-" + name)) == images)
    #expect(try ByteLabels(contentsOf: folder.file("labels-" + name)) == labels)
    // Written atomically: nothing but the two files is left in the folder.
    #expect(folder.contents() == ["images-" + name, "labels-" + name])
  }

  @Test("reads a hand-made header: magic 2051, then N, rows, columns, big-endian")
  func handMadeHeader() throws {
    let folder = try TemporaryFolder()
    let path = try write(idx([2, 2, 3], payload: Array(0..<12)), "tiny", in: folder)
    let images = try ByteImages(contentsOf: path)
    #expect(images.count == 2 && images.rows == 2 && images.columns == 3)
    #expect(images.pixels == Array(0..<12))
    let labelsPath = try write(idx([4], payload: [9, 0, 3, 1]), "labels", in: folder)
    #expect(try ByteLabels(contentsOf: labelsPath).values == [9, 0, 3, 1])
  }

  @Test("recognises gzip by content, whatever the file is called")
  func gzipByContent() throws {
    let folder = try TemporaryFolder()
    let (images, _) = syntheticImages(perClass: 1)
    try images.writeIDX(to: folder.file("a.gz"))
    try FileManager.default.moveItem(atPath: folder.file("a.gz"), toPath: folder.file("no-suffix"))
    #expect(try ByteImages(contentsOf: folder.file("no-suffix")) == images)
  }

  @Test("a raw file shorter than its header promises is truncated")
  func truncatedRaw() throws {
    let folder = try TemporaryFolder()
    let path = try write(
      idx([10, 28, 28], payload: [UInt8](repeating: 1, count: 5000)), "t", in: folder)
    let thrown = error { _ = try ByteImages(contentsOf: path) }
    #expect(thrown?.kind == .truncated)
    #expect(thrown?.path == path)
    #expect(thrown?.message.contains("10 images of 28×28 = 7,840 bytes") == true)
    #expect(thrown?.hint != nil)
  }

  @Test("a cut gzip file is truncated, and nothing is allocated beyond what it can hold")
  func truncatedGzip() throws {
    let folder = try TemporaryFolder()
    let (images, _) = syntheticImages(perClass: 20)
    try images.writeIDX(to: folder.file("full.gz"))
    let full = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder.file("full.gz"))))
    for cut in [10, full.count / 2, full.count - 4] {
      let path = try write(Array(full.prefix(cut)), "cut-\(cut).gz", in: folder)
      let thrown = error { _ = try ByteImages(contentsOf: path) }
      #expect(thrown?.kind == .truncated, "cut at \(cut): \(String(describing: thrown))")
    }
  }

  @Test("a gzip header promising more than the file can inflate to is rejected before allocating")
  func impossibleGzipPromise() throws {
    let folder = try TemporaryFolder()
    // 60,000 images of 4096×4096 would be 1 TB; the tiny file cannot hold it.
    let path = folder.file("liar.gz")
    try ByteImages(count: 1, rows: 1, columns: 1, pixels: [0]).writeIDX(to: path)
    let header = idx([60_000, 4096, 4096], payload: [])
    try Data(KMSData.deflate(header, framing: .gzip)).write(to: URL(fileURLWithPath: path))
    let thrown = error { _ = try ByteImages(contentsOf: path) }
    #expect(thrown?.kind == .badHeader)
    #expect(thrown?.message.contains("more than a") == true)
  }

  @Test("bytes after the payload are reported, raw and gzip")
  func trailingData() throws {
    let folder = try TemporaryFolder()
    let raw = try write(idx([3], payload: [1, 2, 3, 4]), "raw", in: folder)
    #expect(error { _ = try ByteLabels(contentsOf: raw) }?.kind == .trailingData)
    let gz = try write(
      KMSData.deflate(idx([3], payload: [1, 2, 3, 4]), framing: .gzip), "x.gz", in: folder)
    #expect(error { _ = try ByteLabels(contentsOf: gz) }?.kind == .trailingData)
    // Garbage after a complete gzip member.
    let junk = try write(
      KMSData.deflate(idx([3], payload: [1, 2, 3]), framing: .gzip) + [7, 7, 7], "j.gz", in: folder)
    #expect(error { _ = try ByteLabels(contentsOf: junk) }?.kind == .trailingData)
  }

  @Test("damaged gzip data is corrupt (bad deflate data or CRC mismatch)")
  func corruptGzip() throws {
    let folder = try TemporaryFolder()
    let (images, _) = syntheticImages(perClass: 5)
    try images.writeIDX(to: folder.file("good.gz"))
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder.file("good.gz"))))
    // The CRC-32 sits in the 8-byte trailer: flipping it leaves the deflate data intact.
    bytes[bytes.count - 6] ^= 0xFF
    let path = try write(bytes, "badcrc.gz", in: folder)
    let thrown = error { _ = try ByteImages(contentsOf: path) }
    #expect(thrown?.kind == .corrupt)
    #expect(thrown?.message.contains("incorrect data check") == true)
  }

  @Test("a file that is not IDX has the wrong magic, and the hint says what it looks like")
  func wrongMagic() throws {
    let folder = try TemporaryFolder()
    let html = try write(Array("<html><body>404 Not Found</body></html>".utf8), "page", in: folder)
    let thrown = error { _ = try ByteImages(contentsOf: html) }
    #expect(thrown?.kind == .wrongMagic)
    #expect(thrown?.hint?.contains("HTML") == true)
    #expect(thrown?.description.hasPrefix(html + ": wrong magic: magic number 0x3c68746d") == true)
    let random = try write([0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0], "random", in: folder)
    #expect(error { _ = try ByteLabels(contentsOf: random) }?.kind == .wrongMagic)
    let tiny = try write([0, 0], "tiny", in: folder)
    #expect(error { _ = try ByteLabels(contentsOf: tiny) }?.kind == .truncated)
  }

  @Test("a labels file read as images (and the reverse) is the wrong kind")
  func wrongKind() throws {
    let folder = try TemporaryFolder()
    let (images, labels) = syntheticImages(perClass: 2)
    try images.writeIDX(to: folder.file("images.gz"))
    try labels.writeIDX(to: folder.file("labels.gz"))
    let asImages = error { _ = try ByteImages(contentsOf: folder.file("labels.gz")) }
    #expect(asImages?.kind == .wrongKind)
    #expect(
      asImages?.message == "this is an IDX label file (magic 2049), expected images (magic 2051)")
    let asLabels = error { _ = try ByteLabels(contentsOf: folder.file("images.gz")) }
    #expect(asLabels?.kind == .wrongKind)
    #expect(asLabels?.hint?.contains("t10k-labels-idx1-ubyte.gz") == true)
  }

  @Test("implausible dimensions and other element types are refused")
  func badDimensions() throws {
    let folder = try TemporaryFolder()
    let zeroRows = try write(idx([1, 0, 28], payload: []), "zero", in: folder)
    #expect(error { _ = try ByteImages(contentsOf: zeroRows) }?.kind == .badHeader)
    let huge = try write(idx([1, 100_000, 28], payload: []), "huge", in: folder)
    #expect(error { _ = try ByteImages(contentsOf: huge) }?.kind == .badHeader)
    let floats = try write(
      idx([1, 1, 1], payload: [0, 0, 0, 0], typeCode: 0x0D), "floats", in: folder)
    let thrown = error { _ = try ByteImages(contentsOf: floats) }
    #expect(thrown?.kind == .unsupported)
    #expect(thrown?.message.contains("float32") == true)
    let cutHeader = try write([0, 0, 8, 3, 0, 0, 0, 1, 0, 0], "cut", in: folder)
    #expect(error { _ = try ByteImages(contentsOf: cutHeader) }?.kind == .truncated)
  }

  @Test("a missing file or a folder is not found")
  func missing() throws {
    let folder = try TemporaryFolder()
    #expect(error { _ = try ByteImages(contentsOf: folder.file("nope.gz")) }?.kind == .notFound)
    #expect(error { _ = try ByteLabels(contentsOf: folder.path) }?.kind == .notFound)
  }

  @Test("an empty dataset (N = 0) is valid")
  func empty() throws {
    let folder = try TemporaryFolder()
    try ByteImages(count: 0, rows: 28, columns: 28, pixels: []).writeIDX(to: folder.file("e.gz"))
    #expect(try ByteImages(contentsOf: folder.file("e.gz")).count == 0)
    try ByteLabels([]).writeIDX(to: folder.file("e.idx"))
    #expect(try ByteLabels(contentsOf: folder.file("e.idx")).values == [])
  }
}
