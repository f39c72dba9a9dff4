import Foundation
import KMSData
import KMSTensor
import Testing

/// Bad input never crashes: seeded random damage to valid files gives a DataError or (when the
/// damage happens to be harmless) a successful read, never a trap.
@Suite("Damaged files")
struct DamagedFileTests {
  enum Format: String, CaseIterable {
    case idxRaw = "images.idx", idxGzip = "images.gz", npzStored = "stored.npz"
    case npzDeflate = "deflate.npz"
  }

  func validBytes(_ format: Format, in folder: TemporaryFolder) throws -> [UInt8] {
    let (images, _) = syntheticImages(perClass: 2, rows: 4, columns: 4)
    let path = folder.file(format.rawValue)
    switch format {
    case .idxRaw, .idxGzip: try images.writeIDX(to: path)
    case .npzStored: try images.writeNPZ(to: path, compressed: false)
    case .npzDeflate: try images.writeNPZ(to: path, compressed: true)
    }
    return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
  }

  @Test("flipped bytes and cuts give errors, never crashes", arguments: Format.allCases)
  func randomDamage(format: Format) throws {
    let folder = try TemporaryFolder()
    let valid = try validBytes(format, in: folder)
    var rng = RandomSource(seed: 2024)
    var errors = 0
    for trial in 0..<300 {
      var bytes = valid
      if trial % 3 == 0 {
        bytes.removeLast(1 + rng.int(below: bytes.count))  // cut
      } else {
        for _ in 0...rng.int(below: 3) {  // flip one to three bytes
          bytes[rng.int(below: bytes.count)] ^= UInt8(1 + rng.int(below: 255))
        }
      }
      let path = folder.file("damaged")
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      do {
        _ = try ByteImages(contentsOf: path)
      } catch is DataError {
        errors += 1
      }
    }
    // Every cut must be caught; most flips are too (a flip in padding may be harmless).
    #expect(errors >= 100, "only \(errors) of 300 damaged files were refused")
  }
}
