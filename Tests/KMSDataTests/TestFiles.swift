import Foundation
import KMSData

/// Paths the data tests read, found from this file's location so they work from any working
/// folder: the package root, the shipped sample and the shared official data beside the clone.
enum TestFiles {
  /// The package root (this file is Tests/KMSDataTests/TestFiles.swift).
  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

  /// The shipped sample's folder.
  static let sampleFolder = packageRoot + "/samples/data"

  /// The shared official KMNIST files (test images and labels, train labels), at
  /// ../shared/data/kmnist
  /// relative to the repository root, as on CI.
  static let sharedKMNIST = URL(fileURLWithPath: packageRoot + "/../shared/data/kmnist")
    .standardizedFileURL.path

  /// True when the shared official test files are present.
  static let hasSharedKMNIST =
    FileManager.default.fileExists(atPath: sharedKMNIST + "/t10k-images-idx3-ubyte.gz")
    && FileManager.default.fileExists(atPath: sharedKMNIST + "/t10k-labels-idx1-ubyte.gz")

  /// True when curl is installed (the fetch tests run it against local URLs only).
  static let hasCurl = FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")
}

/// A fresh folder under the system temporary folder, removed when the value goes away.
final class TemporaryFolder {
  let path: String

  init() throws {
    path = NSTemporaryDirectory() + "kms-data-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// `path/name`.
  func file(_ name: String) -> String { path + "/" + name }

  /// A new subfolder `path/name`.
  func folder(_ name: String) throws -> String {
    let folder = file(name)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder
  }

  /// Every entry in the folder, hidden ones included.
  func contents() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
  }
}

/// Small deterministic images: `perClass` images of each of `classes` classes, 28×28, labels
/// cycling 0, 1, …; pixel j of image i is (i · 31 + j · 7) mod 256.
func syntheticImages(perClass: Int, classes: Int = 10, rows: Int = 28, columns: Int = 28)
  -> (ByteImages, ByteLabels)
{
  let count = perClass * classes
  let pixels = (0..<(count * rows * columns)).map { index -> UInt8 in
    let (image, pixel) = index.quotientAndRemainder(dividingBy: rows * columns)
    return UInt8((image * 31 + pixel * 7) % 256)
  }
  let labels = (0..<count).map { UInt8($0 % classes) }
  return (
    ByteImages(count: count, rows: rows, columns: columns, pixels: pixels), ByteLabels(labels)
  )
}

/// Writes synthetic official-format test files (and train files when asked) into `folder`.
func writeSyntheticKMNIST(into folder: String, testPerClass: Int = 10, trainPerClass: Int? = nil)
  throws
{
  let (images, labels) = syntheticImages(perClass: testPerClass)
  try images.writeIDX(to: folder + "/t10k-images-idx3-ubyte.gz")
  try labels.writeIDX(to: folder + "/t10k-labels-idx1-ubyte.gz")
  if let trainPerClass {
    let (trainImages, trainLabels) = syntheticImages(perClass: trainPerClass)
    try trainImages.writeIDX(to: folder + "/train-images-idx3-ubyte.gz")
    try trainLabels.writeIDX(to: folder + "/train-labels-idx1-ubyte.gz")
  }
}

/// The sum of all pixels of a dataset's features, back in 0...255 units.
func pixelSum(_ dataset: Dataset) -> Int {
  (0..<dataset.features.count).reduce(0) { $0 + Int((dataset.features.data[$1] * 255).rounded()) }
}
