// Downloading the official KMNIST files: each goes to a hidden temporary name beside its target,
// is checked against its official MD5, and only then renamed into place. A failure (offline,
// HTTP error, wrong checksum) removes the temporary file, so no partial or unverified file is left.
// The transfer itself is /usr/bin/curl's (Debian's curl package): it handles HTTP, redirects,
// timeouts and file:// URLs robustly, and keeps kms free of a networking stack of its own.
import Foundation
import KMSTensor

/// What `KMNIST.fetch` did with one file.
public struct FetchedFile: Equatable, Sendable {
  /// The file's final path.
  public let path: String
  /// True when it was downloaded now; false when a verified copy was already there.
  public let wasDownloaded: Bool
}

extension KMNIST {
  /// Downloads the official files into `folder` (created if needed), verifying each MD5; files
  /// already present with the right MD5 are kept.
  /// - Parameters:
  ///   - folder: the destination (the user cache folder by default, where `DataLocator` looks).
  ///   - baseURL: where the files are served; the official server by default.
  ///   - files: which files to fetch, with their checksums; all four official ones by default.
  ///   - curlPath: the curl executable; found on `$PATH` (then /usr/bin/curl) when nil.
  ///   - connectTimeout: seconds to wait for a connection before giving up.
  ///   - log: receives one line per file (by default, printed).
  /// - Returns: what happened to each file, in order.
  /// - Throws: `DataError` `.downloadFailed` (offline, unreachable, HTTP error) or
  ///   `.checksumMismatch`; the folder then holds no partial file.
  @discardableResult
  public static func fetch(
    to folder: String = DataLocator.cacheFolder(), baseURL: String = officialBaseURL,
    files: [OfficialFile] = officialFiles, curlPath: String? = nil, connectTimeout: Int = 20,
    log: (String) -> Void = { print($0) }
  ) throws -> [FetchedFile] {
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw DataError(
        .ioFailure, path: folder, "cannot create the folder (\(error.localizedDescription))",
        hint: "choose a writable folder")
    }
    let curl = try curlPath ?? findCurl()
    let base = baseURL.hasSuffix("/") ? baseURL : baseURL + "/"
    var results: [FetchedFile] = []
    for file in files {
      let target = folder + "/" + file.name
      if isFile(target), (try? MD5.hexDigest(ofFileAt: target)) == file.md5 {
        log("\(file.name): already present, md5 ok")
        results.append(FetchedFile(path: target, wasDownloaded: false))
        continue
      }
      log("\(file.name): downloading \(grouped(file.byteCount)) bytes from \(base)")
      try download(
        base + file.name, to: target, md5: file.md5, curl: curl,
        connectTimeout: connectTimeout, folder: folder)
      log("\(file.name): md5 ok")
      results.append(FetchedFile(path: target, wasDownloaded: true))
    }
    return results
  }

  /// Downloads one URL to `target` through a temporary file, verifying its MD5 before the rename.
  private static func download(
    _ url: String, to target: String, md5: String, curl: String,
    connectTimeout: Int, folder: String
  ) throws {
    let temporary = AtomicFile.temporarySibling(of: target)
    defer { try? FileManager.default.removeItem(atPath: temporary) }  // gone after the rename
    let process = Process()
    process.executableURL = URL(fileURLWithPath: curl)
    // --fail: an HTTP error is an error, not a saved error page. No retries: offline should fail
    // fast and clearly.
    process.arguments = [
      "--fail", "--silent", "--show-error", "--location", "--connect-timeout", "\(connectTimeout)",
      "--output", temporary, url,
    ]
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      throw DataError(
        .downloadFailed, path: url, "cannot run \(curl) (\(error.localizedDescription))",
        hint: "install curl (apt-get install curl)")
    }
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw DataError(
        .downloadFailed, path: url,
        "download failed ("
          + (message.isEmpty ? "curl exit status \(process.terminationStatus)" : message) + ")",
        hint: manualDownloadHint(folder: folder))
    }
    let actual = try MD5.hexDigest(ofFileAt: temporary)
    guard actual == md5 else {
      throw DataError(
        .checksumMismatch, path: url,
        "downloaded file has md5 \(actual), expected \(md5) (the official 2019-02-05 release); "
          + "nothing was kept",
        hint: "the server sent something else (an old release, a proxy's error page?); try again "
          + "later, or \(manualDownloadHint(folder: folder))")
    }
    try moveIntoPlace(temporary, target)
  }

  /// The way to get the files without kms's help.
  static func manualDownloadHint(folder: String) -> String {
    "fetching needs network access; otherwise download "
      + officialFiles.map(\.name).joined(separator: ", ") + " by hand from \(officialBaseURL) "
      + "into \(folder) (or any folder, then set KMS_DATA to it), and check their md5s "
      + "(md5sum; the expected values are in samples/data/README.md)"
  }

  /// curl on `$PATH`, else /usr/bin/curl.
  private static func findCurl() throws -> String {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    for folder in path.split(separator: ":").map(String.init) + ["/usr/bin"] {
      let candidate = folder + "/curl"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    throw DataError(
      .downloadFailed, path: "curl", "curl is not installed; kms fetches with it",
      hint: "apt-get install curl, or \(manualDownloadHint(folder: DataLocator.cacheFolder()))")
  }
}
