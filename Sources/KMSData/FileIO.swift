// Whole-file reads and atomic writes, with errors that name the file.
import Foundation
import KMSTensor

/// Reads a whole file.
/// - Parameter path: the file to read.
/// - Throws: `DataError` `.notFound` if it is missing or a folder, `.ioFailure` if unreadable.
func readFileBytes(at path: String) throws -> [UInt8] {
  var isFolder: ObjCBool = false
  guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
    throw DataError(
      .notFound, path: path, "no such file",
      hint: "check the path, or run scripts/fetch-kmnist.sh to download KMNIST")
  }
  if isFolder.boolValue {
    throw DataError(.notFound, path: path, "is a folder, expected a file")
  }
  do {
    return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
  } catch {
    throw DataError(
      .ioFailure, path: path, "cannot read the file (\(error.localizedDescription))",
      hint: "check the file's permissions")
  }
}

/// Writes `bytes` to `path` atomically (`AtomicFile`: a reader never sees a half-written file
/// and a failure leaves none behind).
/// - Parameters:
///   - bytes: the file's contents.
///   - path: the destination; its folder must exist.
func writeFileAtomically(_ bytes: [UInt8], to path: String) throws(DataError) {
  do {
    try AtomicFile.write(bytes, to: path)
  } catch {
    throw writeError(error)
  }
}

/// Renames a finished temporary file (`AtomicFile.temporarySibling`) over `path`.
func moveIntoPlace(_ temporary: String, _ path: String) throws(DataError) {
  do {
    try AtomicFile.moveIntoPlace(temporary, path)
  } catch {
    throw writeError(error)
  }
}

private func writeError(_ failure: AtomicFile.Failure) -> DataError {
  DataError(
    .ioFailure, path: failure.path, "cannot write the file (\(failure.reason))",
    hint: "check that the folder exists and is writable")
}

/// True when a regular file (not a folder) exists at `path`.
func isFile(_ path: String) -> Bool {
  var isFolder: ObjCBool = false
  return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && !isFolder.boolValue
}

/// True when a folder exists at `path`.
func isFolder(_ path: String) -> Bool {
  var folder: ObjCBool = false
  return FileManager.default.fileExists(atPath: path, isDirectory: &folder) && folder.boolValue
}

/// A short description of what a file looks like from its first bytes, for "wrong magic" hints.
func describeSignature(_ bytes: [UInt8]) -> String? {
  if hasGzipSignature(bytes) { return "it is gzip-compressed" }
  if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "it is a ZIP archive (an .npz file?)" }
  if bytes.starts(with: [0x93] + Array("NUMPY".utf8)) { return "it is a NumPy .npy file" }
  let text = String(decoding: bytes.prefix(64), as: UTF8.self).lowercased()
  if text.contains("<html") || text.contains("<!doctype") || text.hasPrefix("<") {
    return "it looks like an HTML page (an error page saved instead of the data?)"
  }
  return nil
}
