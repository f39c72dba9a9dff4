// Datasets by name, for the language's `load("kmnist")` and the command line:
//
//   kmnist          wherever DataLocator finds it (explicit path, KMS_DATA, cache, sample)
//   kmnist-sample   the shipped sample, even when the full data is present
//   fashion-mnist   Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist), "fashion"
//                   protocol: 60,000 train (600 per class to validation), 10,000 test
import Foundation

/// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, MIT license) as Debian ships it: the same IDX .gz
/// format and file names as MNIST and KMNIST, full size (60,000 train, 10,000 test).
public enum FashionMNIST {
  /// Where Debian's `dataset-fashion-mnist` package installs the files.
  public static let debianFolder = "/usr/share/datasets/fashion-mnist"

  /// The ten classes: T-shirt, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag,
  /// Ankle boot.
  public static let classNames = fashionClassNames

  /// True when all four files are in `folder`.
  /// - Parameter folder: the folder to check (Debian's by default).
  public static func isInstalled(in folder: String = debianFolder) -> Bool {
    KMNISTFolder(scanning: folder)?.contents == .official
  }

  /// Loads Fashion-MNIST by the "fashion" protocol: the 60,000 training images with a stratified
  /// 10% validation split (600 per class), and the 10,000 test images.
  /// - Parameters:
  ///   - folder: the folder with the four IDX files (Debian's by default).
  ///   - seed: the validation split's seed.
  /// - Throws: `DataError` `.notFound` with an install hint when the files are missing.
  public static func load(folder: String = debianFolder, seed: UInt64 = KMNIST.splitSeed) throws
    -> DataSplits
  {
    guard let files = KMNISTFolder(scanning: folder), files.contents == .official else {
      throw DataError(
        .notFound, path: folder, "Fashion-MNIST's four IDX files are not all there",
        hint: "apt-get install dataset-fashion-mnist")
    }
    let train = try KMNIST.readDataset(
      files.trainImages!, files.trainLabels!, name: "fashion-train",
      provenance: "Fashion-MNIST train (Debian, \(folder))", classNames: classNames)
    let test = try KMNIST.readDataset(
      files.testImages, files.testLabels, name: "fashion-test",
      provenance: "Fashion-MNIST test (Debian, \(folder))", classNames: classNames)
    let (fit, validation) = try train.splitValidation(fraction: 0.1, seed: seed)
    return DataSplits(train: fit, validation: validation, test: test, protocolName: "fashion")
  }
}

/// Loads datasets by name.
public enum DataCatalog {
  /// The names `load(named:)` knows, with a line about each.
  public static let names: [(name: String, summary: String)] = [
    ("kmnist", "Kuzushiji-MNIST from the explicit path, KMS_DATA, the cache folder or the sample"),
    ("kmnist-sample", "the 3,000-image KMNIST sample shipped in samples/data"),
    ("fashion-mnist", "Debian's Fashion-MNIST (apt-get install dataset-fashion-mnist)"),
  ]

  /// Loads a dataset by name.
  /// - Parameters:
  ///   - name: `kmnist`, `kmnist-sample` or `fashion-mnist` (also `fashion`, `sample`).
  ///   - path: for `kmnist`, a folder to load from instead of searching; for `fashion-mnist`,
  ///     a folder instead of Debian's.
  ///   - seed: the split seed.
  /// - Throws: `DataError` `.unknownDataset` for an unknown name, or any loading error.
  public static func load(
    named name: String, path: String? = nil,
    seed: UInt64 = KMNIST.splitSeed
  ) throws -> DataSplits {
    switch name.lowercased() {
    case "kmnist":
      return try KMNIST.load(locator: DataLocator(explicitPath: path), seed: seed)
    case "kmnist-sample", "sample":
      guard let folder = path ?? SampleData.locateDataFolder() else {
        throw DataError(
          .notFound, path: "samples/data", "the shipped KMNIST sample was not found",
          hint: "run kms from the repository, or set KMS_SAMPLES to its samples folder")
      }
      return try KMNIST.load(folder: folder, seed: seed)
    case "fashion-mnist", "fashion":
      return try FashionMNIST.load(folder: path ?? FashionMNIST.debianFolder, seed: seed)
    default:
      throw DataError(
        .unknownDataset, path: name, "unknown dataset '\(name)'",
        hint: "known datasets: " + names.map(\.name).joined(separator: ", "))
    }
  }
}
