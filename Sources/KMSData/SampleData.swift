// The KMNIST sample shipped in samples/data: the first 300 images of each class of the official
// test set, in file order (3,000 images), as official-format IDX .gz files. samples/data/README.md
// documents it; `SampleData.make` rebuilds it byte for byte.
import Foundation

/// The shipped KMNIST sample: its file names, how to find it at run time, and how it is made.
public enum SampleData {
  /// The sample's images, an IDX3 gzip file like the official ones.
  public static let imagesFileName = "kmnist-sample-images-idx3-ubyte.gz"
  /// The sample's labels, an IDX1 gzip file like the official ones.
  public static let labelsFileName = "kmnist-sample-labels-idx1-ubyte.gz"
  /// Images per class in the sample.
  public static let perClass = 300

  /// Finds the repository's `samples` folder (the one holding `data/` with the sample's files),
  /// wherever the executable runs from. Tried in order:
  /// `$KMS_SAMPLES`; the executable's folder and its parents (`repo/.build/release/kms` →
  /// `repo/samples`); the current folder and its parents.
  /// - Parameters:
  ///   - environment: the environment variables (the process's by default).
  ///   - executablePath: the running executable (found through /proc/self/exe by default).
  ///   - currentFolder: the working folder (the process's by default).
  /// - Returns: the `samples` folder, or nil when none is found.
  public static func locateSamplesFolder(
    environment: [String: String] = ProcessInfo.processInfo.environment,
    executablePath: String? = runningExecutablePath(),
    currentFolder: String = FileManager.default.currentDirectoryPath
  ) -> String? {
    func holdsSample(_ samples: String) -> Bool {
      isFile(samples + "/data/" + imagesFileName) && isFile(samples + "/data/" + labelsFileName)
    }
    if let named = environment["KMS_SAMPLES"], !named.isEmpty {
      let folder = standardized(named)
      if holdsSample(folder) { return folder }
      // Also accept the data folder itself.
      let parent = (folder as NSString).deletingLastPathComponent
      if (folder as NSString).lastPathComponent == "data" && holdsSample(parent) { return parent }
    }
    var starts: [String] = []
    if let executablePath {
      starts.append((standardized(executablePath) as NSString).deletingLastPathComponent)
    }
    starts.append(standardized(currentFolder))
    for start in starts {
      var folder = start
      // The executable sits at most a few levels below the repository root
      // (.build/x86_64-unknown-linux-gnu/release/kms); eight levels is plenty.
      for _ in 0..<8 {
        let samples = (folder as NSString).appendingPathComponent("samples")
        if holdsSample(samples) { return samples }
        let parent = (folder as NSString).deletingLastPathComponent
        if parent == folder { break }
        folder = parent
      }
    }
    return nil
  }

  /// The folder holding the sample's files (`samples/data`), found as `locateSamplesFolder` does.
  /// - Parameters:
  ///   - environment: the environment variables (the process's by default).
  ///   - executablePath: the running executable.
  ///   - currentFolder: the working folder.
  public static func locateDataFolder(
    environment: [String: String] = ProcessInfo.processInfo.environment,
    executablePath: String? = runningExecutablePath(),
    currentFolder: String = FileManager.default.currentDirectoryPath
  ) -> String? {
    locateSamplesFolder(
      environment: environment, executablePath: executablePath,
      currentFolder: currentFolder
    ).map { $0 + "/data" }
  }

  /// The running executable's path with symbolic links resolved (/proc/self/exe on Linux), or
  /// nil when it cannot be found.
  public static func runningExecutablePath() -> String? {
    if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      return resolved
    }
    return Bundle.main.executablePath ?? CommandLine.arguments.first
  }

  /// Builds the sample from the official test set: the first `perClass` images of each class in
  /// file order, written as `kmnist-sample-{images-idx3,labels-idx1}-ubyte.gz` (gzip level 9,
  /// mtime 0, so the same input gives the same bytes).
  /// - Parameters:
  ///   - testFolder: a folder holding the official test images and labels (IDX or .npz).
  ///   - outputFolder: where to write the two files; it must exist.
  ///   - perClass: images per class.
  /// - Returns: the sample as a dataset (`sourceIndices` are its rows' indices in the test set).
  public static func make(
    fromTestFolder testFolder: String, into outputFolder: String,
    perClass: Int = perClass
  ) throws -> Dataset {
    guard let files = KMNISTFolder(scanning: testFolder), files.contents != .sample else {
      throw DataError(
        .notFound, path: testFolder, "holds no official KMNIST test files",
        hint: "name the folder with t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz")
    }
    let test = try KMNIST.readDataset(
      files.testImages, files.testLabels, name: "kmnist-test",
      provenance: "KMNIST official test (\(testFolder))")
    let sample = try test.subset(perClass: perClass)
    try sample.writeIDX(
      imagesTo: outputFolder + "/" + imagesFileName,
      labelsTo: outputFolder + "/" + labelsFileName)
    return sample
  }
}

/// `path` made absolute (against the current folder) with `.` and `..` removed.
func standardized(_ path: String) -> String {
  URL(fileURLWithPath: path).standardizedFileURL.path
}
