import Foundation
import KMSData
import Testing

/// Fetching without any outside network: an unreachable loopback port, and file:// URLs.
@Suite("Fetch", .enabled(if: TestFiles.hasCurl, "needs /usr/bin/curl"))
struct FetchTests {
  /// A folder of files standing in for the server, and their descriptions.
  func server(_ contents: [String: String], in root: TemporaryFolder) throws
    -> (url: String, files: [KMNIST.OfficialFile])
  {
    let folder = try root.folder("server")
    var files: [KMNIST.OfficialFile] = []
    for (name, text) in contents.sorted(by: { $0.key < $1.key }) {
      try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/" + name))
      files.append(
        .init(name: name, md5: MD5.hexDigest(of: Array(text.utf8)), byteCount: text.utf8.count))
    }
    return ("file://" + folder + "/", files)
  }

  @Test("offline: an unreachable server fails clearly and leaves no file behind")
  func unreachable() throws {
    let root = try TemporaryFolder()
    let target = root.file("cache")
    do {
      try KMNIST.fetch(to: target, baseURL: "http://127.0.0.1:9/", connectTimeout: 5, log: { _ in })
      Issue.record("fetch from a closed port succeeded")
    } catch let error as DataError {
      #expect(error.kind == .downloadFailed)
      #expect(error.path == "http://127.0.0.1:9/train-images-idx3-ubyte.gz")
      #expect(
        error.message.contains("Failed to connect") || error.message.contains("Couldn't connect"))
      #expect(error.hint?.contains("http://codh.rois.ac.jp/kmnist/dataset/kmnist/") == true)
    }
    // The folder was created, but holds nothing: no partial or temporary file.
    #expect(try FileManager.default.contentsOfDirectory(atPath: target).isEmpty)
  }

  @Test("a file whose md5 differs is rejected and not kept")
  func checksumMismatch() throws {
    let root = try TemporaryFolder()
    let (url, files) = try server(["t10k-labels-idx1-ubyte.gz": "an old release"], in: root)
    let wrong = [
      KMNIST.OfficialFile(name: files[0].name, md5: KMNIST.officialFiles[3].md5, byteCount: 5120)
    ]
    let target = try root.folder("cache")
    do {
      try KMNIST.fetch(to: target, baseURL: url, files: wrong, log: { _ in })
      Issue.record("a file with the wrong md5 was accepted")
    } catch let error as DataError {
      #expect(error.kind == .checksumMismatch)
      #expect(error.message.contains("expected 7320c461ea6c1c855c0b718fb2a4b134"))
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: target).isEmpty)
  }

  @Test("a missing file on the server (HTTP error or no such file) keeps earlier files only")
  func partialServer() throws {
    let root = try TemporaryFolder()
    var (url, files) = try server(["a.gz": "first file"], in: root)
    files.append(.init(name: "missing.gz", md5: "00000000000000000000000000000000", byteCount: 1))
    let target = try root.folder("cache")
    #expect(throws: DataError.self) {
      try KMNIST.fetch(to: target, baseURL: url, files: files, log: { _ in })
    }
    // The verified first file stays; nothing of the failed one does.
    #expect(try FileManager.default.contentsOfDirectory(atPath: target) == ["a.gz"])
  }

  @Test("verified files land under their names; a second fetch keeps them")
  func success() throws {
    let root = try TemporaryFolder()
    let (url, files) = try server(["one.gz": "first", "two.gz": "second"], in: root)
    let target = root.file("new/cache")
    var lines: [String] = []
    let first = try KMNIST.fetch(to: target, baseURL: url, files: files, log: { lines.append($0) })
    #expect(first.map(\.wasDownloaded) == [true, true])
    #expect(try String(contentsOfFile: target + "/two.gz", encoding: .utf8) == "second")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: target).sorted() == ["one.gz", "two.gz"])
    let second = try KMNIST.fetch(to: target, baseURL: url, files: files, log: { lines.append($0) })
    #expect(second.map(\.wasDownloaded) == [false, false])
    #expect(lines.last == "two.gz: already present, md5 ok")
  }
}
