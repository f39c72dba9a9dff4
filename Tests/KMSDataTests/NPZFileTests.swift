import Foundation
import Testing

@testable import KMSData

@Suite("NPY and NPZ files")
struct NPZFileTests {
  // Made by NumPy 2.4 (checks only; NumPy is no dependency of kms):
  //   np.savez_compressed('c.npz', np.arange(24, dtype=np.uint8).reshape(2, 3, 4))
  //   np.savez('s.npz', np.array([3, 1, 4, 1, 5], dtype=np.uint8))
  //   np.savez('i64.npz', np.array([3, 1, 4], dtype=np.int64))
  // NumPy writes a ZIP64 extra field and 0xFFFFFFFF sizes in each local header.
  static let numpyCompressed =
    "UEsDBC0AAAAIAAAAIQBErVeC//////////8JABQAYXJyXzAubnB5AQAQAJgAAAAAAAAAYQAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBeU2qorqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RpGOgrGOgommjoKtQrkAS4GRiZmFlY2dg5OLm4eXj5+AUEhYRFRMXEAUEsBAi0DLQAAAAgAAAAhAEStV4JhAAAAmAAAAAkAAAAAAAAAAAAAAIABAAAAAGFycl8wLm5weVBLBQYAAAAAAQABADcAAACcAAAAAAA="
  static let numpyStored =
    "UEsDBC0AAAAAAAAAIQCkFiNB//////////8JABQAYXJyXzAubnB5AQAQAIUAAAAAAAAAhQAAAAAAAACTTlVNUFkBAHYAeydkZXNjcic6ICd8dTEnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoNSwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgCgMBBAEFUEsBAi0DLQAAAAAAAAAhAKQWI0GFAAAAhQAAAAkAAAAAAAAAAAAAAIABAAAAAGFycl8wLm5weVBLBQYAAAAAAQABADcAAADAAAAAAAA="
  static let numpyInt64 =
    "UEsDBC0AAAAAAAAAIQBY4GN0//////////8JABQAYXJyXzAubnB5AQAQAJgAAAAAAAAAmAAAAAAAAACTTlVNUFkBAHYAeydkZXNjcic6ICc8aTgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMywpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgCgMAAAAAAAAAAQAAAAAAAAAEAAAAAAAAAFBLAQItAy0AAAAAAAAAIQBY4GN0mAAAAJgAAAAJAAAAAAAAAAAAAACAAQAAAABhcnJfMC5ucHlQSwUGAAAAAAEAAQA3AAAA0wAAAAAA"

  func write(_ base64: String, _ name: String, in folder: TemporaryFolder) throws -> String {
    let path = folder.file(name)
    try Data(base64Encoded: base64)!.write(to: URL(fileURLWithPath: path))
    return path
  }

  func write(_ bytes: [UInt8], _ name: String, in folder: TemporaryFolder) throws -> String {
    let path = folder.file(name)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  func kind(_ body: () throws -> Void) -> DataError.Kind? {
    do {
      try body()
    } catch let error as DataError {
      return error.kind
    } catch {
      Issue.record("expected a DataError, got \(error)")
    }
    return nil
  }

  @Test("reads NumPy's savez_compressed (DEFLATE, ZIP64 extra) as images")
  func numpyCompressedImages() throws {
    let folder = try TemporaryFolder()
    let path = try write(Self.numpyCompressed, "c.npz", in: folder)
    let arrays = try NPZFile.read(at: path)
    #expect(arrays["arr_0"]?.shape == [2, 3, 4])
    let images = try ByteImages(contentsOf: path)
    #expect(images.count == 2 && images.rows == 3 && images.columns == 4)
    #expect(images.pixels == Array(0..<24))
  }

  @Test("reads NumPy's savez (stored) uint8 and int64 labels")
  func numpyStoredLabels() throws {
    let folder = try TemporaryFolder()
    #expect(
      try ByteLabels(contentsOf: try write(Self.numpyStored, "s.npz", in: folder)).values == [
        3, 1, 4, 1, 5,
      ])
    let wide = try write(Self.numpyInt64, "i.npz", in: folder)
    #expect(try NPZFile.read(at: wide)["arr_0"]?.elementType == .int64)
    #expect(try ByteLabels(contentsOf: wide).values == [3, 1, 4])
  }

  @Test("writes npz that it reads back, stored and compressed", arguments: [false, true])
  func roundTrip(compressed: Bool) throws {
    let folder = try TemporaryFolder()
    let (images, labels) = syntheticImages(perClass: 4, rows: 6, columns: 5)
    try images.writeNPZ(to: folder.file("imgs.npz"), compressed: compressed)
    try labels.writeNPZ(to: folder.file("labels.npz"), compressed: compressed)
    #expect(try ByteImages(contentsOf: folder.file("imgs.npz")) == images)
    #expect(try ByteLabels(contentsOf: folder.file("labels.npz")) == labels)
    let archive = try ZIPArchive(
      [UInt8](Data(contentsOf: URL(fileURLWithPath: folder.file("imgs.npz")))), path: "x")
    #expect(archive.members.map(\.method) == [compressed ? 8 : 0])
    #expect(folder.contents() == ["imgs.npz", "labels.npz"])
  }

  @Test("an archive with a stored and a DEFLATE member reads both")
  func mixedMembers() throws {
    let first = NPYArray(uint8: [1, 2, 3, 4, 5, 6], shape: [2, 3])
    let second = NPYArray(shape: [2], elementType: .int16, bytes: [0xFF, 0xFF, 0x02, 0x00])
    let zip = ZIPArchive.archive([
      (name: "a.npy", data: first.npyBytes(), compressed: false),
      (name: "b.npy", data: second.npyBytes(), compressed: true),
    ])
    let arrays = try NPZFile.arrays(in: zip, path: "mixed.npz")
    #expect(arrays["a"] == first)
    #expect(arrays["b"]?.integers == [-1, 2])
  }

  @Test("a DEFLATE member with no data is truncated, not a crash")
  func emptyDeflateMember() throws {
    var zip = ZIPArchive.archive([(name: "arr_0.npy", data: [], compressed: false)])
    zip[8] = 8  // method field of the local header, then of the directory entry (offset 39 + 10)
    zip[39 + 10] = 8
    #expect(kind { _ = try NPZFile.arrays(in: zip, path: "empty.npz") } == .truncated)
  }

  @Test("the npy writer's header matches NumPy's (64-byte aligned, v1.0)")
  func npyHeader() throws {
    let bytes = NPYArray(uint8: [3, 1, 4, 1, 5], shape: [5]).npyBytes()
    // NumPy's own bytes for the same array, from the stored fixture above (offset 0x3B).
    let numpy = [UInt8](Data(base64Encoded: Self.numpyStored)!)
    #expect(Array(numpy[59..<(59 + bytes.count)]) == bytes)
    #expect((bytes.count - 5) % 64 == 0)
  }

  @Test("a labels npz read as images is the wrong kind, and the reverse")
  func wrongKind() throws {
    let folder = try TemporaryFolder()
    let labels = try write(Self.numpyStored, "labels.npz", in: folder)
    #expect(kind { _ = try ByteImages(contentsOf: labels) } == .wrongKind)
    let images = try write(Self.numpyCompressed, "imgs.npz", in: folder)
    #expect(kind { _ = try ByteLabels(contentsOf: images) } == .wrongKind)
    let two = ZIPArchive.archive([
      (name: "x.npy", data: NPYArray(uint8: [1], shape: [1]).npyBytes(), compressed: false),
      (name: "y.npy", data: NPYArray(uint8: [1], shape: [1]).npyBytes(), compressed: false),
    ])
    #expect(
      kind { _ = try ByteLabels(contentsOf: try write(two, "two.npz", in: folder)) } == .wrongKind)
  }

  @Test("a cut archive is truncated, a flipped data byte fails the CRC")
  func damaged() throws {
    let folder = try TemporaryFolder()
    let full = [UInt8](Data(base64Encoded: Self.numpyStored)!)
    #expect(
      kind { _ = try NPZFile.read(at: try write(Array(full.prefix(150)), "cut.npz", in: folder)) }
        == .truncated)
    var flipped = full
    flipped[59 + 128 + 2] ^= 0x01  // the third element: local header 59 bytes, npy header 128
    #expect(
      kind { _ = try NPZFile.read(at: try write(flipped, "flip.npz", in: folder)) } == .corrupt)
    var crc = [UInt8](Data(base64Encoded: Self.numpyCompressed)!)
    crc[0x4A] ^= 0x10  // inside the deflate data
    #expect(kind { _ = try NPZFile.read(at: try write(crc, "crc.npz", in: folder)) } == .corrupt)
    #expect(
      kind { _ = try NPZFile.read(at: try write(Array("hello".utf8), "t.npz", in: folder)) }
        == .wrongMagic)
  }

  @Test("npy headers: bad magic, Fortran order, unsupported dtypes and sizes are refused")
  func npyHeaderErrors() throws {
    func npy(_ header: String, data: [UInt8]) -> [UInt8] {
      let text = Array((header + "\n").utf8)
      return [0x93] + Array("NUMPY".utf8) + [1, 0] + le16(UInt16(text.count)) + text + data
    }
    func kindOf(_ bytes: [UInt8]) -> DataError.Kind? {
      kind { _ = try NPYArray(npyBytes: bytes, path: "x.npy") }
    }
    let good = npy(
      "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", data: [1, 2, 3, 4])
    #expect(try NPYArray(npyBytes: good, path: "x.npy").shape == [2, 2])
    #expect(kindOf(Array("not npy at all".utf8)) == .wrongMagic)
    #expect(
      kindOf(npy("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 2), }", data: [1, 2, 3, 4]))
        == .unsupported)
    #expect(
      kindOf(
        npy(
          "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }",
          data: [UInt8](repeating: 0, count: 8))) == .unsupported)
    #expect(
      kindOf(npy("{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0, 1]))
        == .unsupported)
    #expect(
      kindOf(npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", data: [1, 2]))
        == .truncated)
    #expect(
      kindOf(npy("{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }", data: [1, 2]))
        == .trailingData)
    #expect(kindOf(npy("{'descr': '|u1', 'shape': (1,), }", data: [1])) == .badHeader)
    #expect(
      kindOf(
        npy(
          "{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999, 99999999999, 99999999999), }",
          data: [])) == .badHeader)
    // Version 2.0 uses a 4-byte header length.
    let text = Array("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }\n".utf8)
    let v2 = [0x93] + Array("NUMPY".utf8) + [2, 0] + le32(UInt32(text.count)) + text + [7, 8, 9]
    #expect(try NPYArray(npyBytes: v2, path: "v2.npy").integers == [7, 8, 9])
  }
}
