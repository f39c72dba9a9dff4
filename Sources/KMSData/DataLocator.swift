// Where KMNIST is found, in order:
//   1. an explicit folder (a command-line option or a script argument)
//   2. $KMS_DATA
//   3. the user cache folder, where fetch puts the files: $XDG_CACHE_HOME/kms/kmnist or
//      ~/.cache/kms/kmnist
//   4. the shipped sample, samples/data, announced as such
// A folder named explicitly (1 or 2) must hold KMNIST; otherwise it is an error, never a silent
// fall-back to the sample.
import Foundation

/// A folder that holds KMNIST, and how it was chosen.
public struct DataLocation: Equatable, Sendable {
  /// How the folder was chosen.
  public enum Origin: String, Equatable, Sendable {
    /// Named by the caller.
    case explicitPath = "explicit path"
    /// Named by `$KMS_DATA`.
    case environment = "$KMS_DATA"
    /// The user cache folder, where fetch puts the official files.
    case cache = "cache folder"
    /// The sample shipped in the repository.
    case sample = "shipped sample"
  }

  /// How the folder was chosen.
  public let origin: Origin
  /// The folder.
  public let folder: String
  /// What the folder holds.
  public let contents: KMNISTFolder.Contents

  /// True when this is the shipped sample rather than the real dataset.
  public var isSample: Bool { contents == .sample }

  /// A line to show the user when the shipped sample is used; nil otherwise.
  public var notice: String? {
    guard origin == .sample else { return nil }
    return "no KMNIST data found (no path given, KMS_DATA unset, nothing in the cache folder): "
      + "using the shipped sample in \(folder), 3,000 official test images, not the paper's "
      + "protocol; run scripts/fetch-kmnist.sh to download the full dataset"
  }
}

/// Finds the KMNIST folder: explicit path, then `$KMS_DATA`, then the cache folder, then the
/// shipped sample. Everything it looks at is a property, so tests can point it at temp folders.
public struct DataLocator: Sendable {
  /// A folder named by the caller, tried first.
  public var explicitPath: String?
  /// The environment to read `KMS_DATA`, `XDG_CACHE_HOME` and `HOME` from.
  public var environment: [String: String]
  /// The folder holding the shipped sample's files (`samples/data`), or nil if there is none.
  public var sampleFolder: String?

  /// Creates a locator.
  /// - Parameters:
  ///   - explicitPath: a folder named by the caller, or nil.
  ///   - environment: the environment variables (the process's by default).
  ///   - sampleFolder: the shipped sample's folder, or nil for none; found from `$KMS_SAMPLES`,
  ///     the executable and the current folder by default.
  public init(
    explicitPath: String? = nil,
    environment: [String: String] = ProcessInfo.processInfo.environment,
    sampleFolder: String? = SampleData.locateDataFolder()
  ) {
    self.explicitPath = explicitPath
    self.environment = environment
    self.sampleFolder = sampleFolder
  }

  /// The user cache folder for KMNIST: `$XDG_CACHE_HOME/kms/kmnist`, else `~/.cache/kms/kmnist`.
  /// - Parameter environment: the environment variables (the process's by default).
  public static func cacheFolder(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> String {
    if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
      return cache + "/kms/kmnist"
    }
    let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    return home + "/.cache/kms/kmnist"
  }

  /// The cache folder for this locator's environment.
  public var cacheFolder: String { DataLocator.cacheFolder(environment: environment) }

  /// Finds the folder to load from.
  /// - Throws: `DataError` `.notFound` when an explicitly named folder (path or `$KMS_DATA`) is
  ///   missing or holds no KMNIST files, or when nothing is found anywhere.
  public func locate() throws -> DataLocation {
    if let explicitPath {
      return try named(explicitPath, origin: .explicitPath)
    }
    if let fromEnvironment = environment["KMS_DATA"], !fromEnvironment.isEmpty {
      return try named(fromEnvironment, origin: .environment)
    }
    if let files = KMNISTFolder(scanning: cacheFolder) {
      return DataLocation(origin: .cache, folder: cacheFolder, contents: files.contents)
    }
    if let sampleFolder, let files = KMNISTFolder(scanning: sampleFolder) {
      return DataLocation(origin: .sample, folder: sampleFolder, contents: files.contents)
    }
    throw DataError(
      .notFound, path: cacheFolder,
      "no KMNIST data: no path given, KMS_DATA unset, nothing in the cache folder, and the "
        + "shipped sample (samples/data) was not found",
      hint: "run scripts/fetch-kmnist.sh, set KMS_DATA to a folder with the official files, or "
        + "set KMS_SAMPLES to the repository's samples folder")
  }

  private func named(_ folder: String, origin: DataLocation.Origin) throws -> DataLocation {
    let source = origin == .environment ? " (from KMS_DATA)" : ""
    if isFile(folder) {
      throw DataError(
        .notFound, path: folder, "is a file\(source), expected a folder holding the KMNIST files",
        hint: "name the folder that holds it: \((folder as NSString).deletingLastPathComponent)")
    }
    guard isFolder(folder) else {
      throw DataError(
        .notFound, path: folder, "no such folder\(source)",
        hint: "name a folder holding t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz "
          + "(and the train files for the official protocol)")
    }
    guard let files = KMNISTFolder(scanning: folder) else {
      throw DataError(
        .notFound, path: folder,
        "folder\(source) holds no KMNIST files (expected t10k-images-idx3-ubyte.gz and "
          + "t10k-labels-idx1-ubyte.gz, raw or .npz)",
        hint: "run scripts/fetch-kmnist.sh to download them into \(cacheFolder)")
    }
    return DataLocation(origin: origin, folder: folder, contents: files.contents)
  }
}
