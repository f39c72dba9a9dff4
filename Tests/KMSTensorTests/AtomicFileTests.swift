import Foundation
import KMSTensor
import KMSTestSupport
import Testing

/// The one atomic writer every layer uses: the old file or the new one, never a part, and no
/// temporary file left behind either way.
@Suite("Atomic files")
struct AtomicFileTests {
  private func folder() throws -> String { try makeTemporaryFolder("atomic") }

  @Test("a write replaces the whole file and leaves only the file in its folder")
  func replaces() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/table.csv"
    try AtomicFile.write(Array("old contents, longer\n".utf8), to: path)
    try AtomicFile.write(Data("new\n".utf8), to: path, durable: true)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["table.csv"])
  }

  @Test("a failed write names the reason and the missing folder, and leaves the old file intact")
  func failures() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    do {
      try AtomicFile.write([1, 2, 3], to: dir + "/missing/figure.png")
      Issue.record("wrote into a folder that does not exist")
    } catch {
      #expect(error.code == ENOENT)
      #expect(error.reason == "no such file or directory (folder '\(dir)/missing' does not exist)")
    }
    // Renaming over a non-empty folder fails after the bytes were written: nothing may remain.
    let target = dir + "/taken"
    try FileManager.default.createDirectory(atPath: target + "/inside", withIntermediateDirectories: true)
    #expect(throws: AtomicFile.Failure.self) { try AtomicFile.write([1], to: target) }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["taken"])
  }
}
