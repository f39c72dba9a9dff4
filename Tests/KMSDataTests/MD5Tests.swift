import Foundation
import KMSData
import Testing

@Suite("MD5")
struct MD5Tests {
  // The test suite of RFC 1321, appendix A.5.
  static let rfcVectors: [(String, String)] = [
    ("", "d41d8cd98f00b204e9800998ecf8427e"),
    ("a", "0cc175b9c0f1b6a831c399e269772661"),
    ("abc", "900150983cd24fb0d6963f7d28e17f72"),
    ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
    ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
    (
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
      "d174ab98d277d9f5a5611c2c9f419d9f"
    ),
    (
      "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
      "57edf4a22be3c955ac49da2e2107b67a"
    ),
  ]

  @Test("matches the RFC 1321 test suite", arguments: rfcVectors)
  func rfcSuite(message: String, digest: String) {
    #expect(MD5.hexDigest(of: Array(message.utf8)) == digest)
  }

  @Test("gives the same digest however the input is split into pieces")
  func incremental() {
    // Lengths around the 56- and 64-byte padding boundaries, fed in awkward pieces.
    for length in [55, 56, 57, 63, 64, 65, 127, 128, 1000] {
      let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
      let whole = MD5.hexDigest(of: message)
      var md5 = MD5()
      var start = 0
      for piece in [1, 3, 60, 7, 64, 200] where start < length {
        let end = min(length, start + piece)
        md5.update(message[start..<end])
        start = end
      }
      md5.update(message[start...])
      #expect(md5.hexDigest() == whole, "length \(length)")
    }
    // A known long vector: one million 'a' (NIST / RFC 1321 errata test).
    var million = MD5()
    let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
    for _ in 0..<1000 { million.update(chunk) }
    #expect(million.hexDigest() == "7707d6ae4e027c70eea2a935c2296f21")
  }

  @Test(
    "checks files, such as the shared official KMNIST test files",
    .enabled(if: TestFiles.hasSharedKMNIST, "needs ../shared/data/kmnist"))
  func officialFiles() throws {
    for file in KMNIST.officialFiles
    where file.name.hasPrefix("t10k") || file.name.hasPrefix("train-labels") {
      #expect(try MD5.hexDigest(ofFileAt: TestFiles.sharedKMNIST + "/" + file.name) == file.md5)
    }
  }

  @Test("a missing file is an error, not a digest")
  func missingFile() {
    #expect(throws: DataError.self) { try MD5.hexDigest(ofFileAt: "/nonexistent/file") }
  }
}
