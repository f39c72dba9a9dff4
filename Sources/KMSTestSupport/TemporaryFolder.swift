import Foundation

/// Makes a new, empty folder under the system's temporary folder, named
/// `kms-<label>-<unique>` so that tests running in parallel never share one; the caller
/// removes it (`defer { try? FileManager.default.removeItem(atPath: folder) }`).
/// - Parameter label: what the folder is for, such as `png` or `atomic`.
/// - Returns: the folder's path, without a trailing slash.
public func makeTemporaryFolder(_ label: String) throws -> String {
  let path = FileManager.default.temporaryDirectory
    .appendingPathComponent("kms-\(label)-\(UUID().uuidString)").path
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}
