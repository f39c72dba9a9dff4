// Kuzushiji-MNIST: its official files, the folders that hold them, and the three protocols kms
// loads them by (PAPER-NOTES.md, "Protocols used here"):
//
//   official    train + test files present: 60,000 train (600 per class to validation), 10,000 test
//   kmnist-10k  only the test files: the 10,000 test images re-split 7,000/1,000/2,000
//   sample      the shipped 3,000-image sample: re-split 2,100/300/600 (not the paper's protocol)
//
// Data: Clanuwat et al. 2018, "Deep Learning for Classical Japanese Literature",
// arXiv:1812.01718; "KMNIST Dataset" by CODH, CC BY-SA 4.0.
import Foundation
import KMSTensor

/// Kuzushiji-MNIST: official files, folder recognition and loading by protocol.
public enum KMNIST {
  /// The ten classes, romanized: お o, き ki, す su, つ tsu, な na, は ha, ま ma, や ya, れ re, を wo.
  public static let classNames = kmnistClassNames

  /// The seed of every KMNIST split kms makes (validation split, kmnist-10k and sample re-splits).
  /// Fixed so that results are comparable across runs and implementations; 1812 is from the
  /// dataset paper's arXiv number, 1812.01718.
  public static let splitSeed: UInt64 = 1812

  /// Where the official files are served.
  public static let officialBaseURL = "http://codh.rois.ac.jp/kmnist/dataset/kmnist/"

  /// One of the four official files.
  public struct OfficialFile: Equatable, Sendable {
    /// The file name, such as `t10k-images-idx3-ubyte.gz`.
    public let name: String
    /// The MD5 of the file as served (the 2019-02-05 release).
    public let md5: String
    /// The file's size in bytes.
    public let byteCount: Int

    /// Describes an official file.
    /// - Parameters:
    ///   - name: the file name.
    ///   - md5: its MD5, 32 lowercase hex digits.
    ///   - byteCount: its size in bytes.
    public init(name: String, md5: String, byteCount: Int) {
      self.name = name
      self.md5 = md5
      self.byteCount = byteCount
    }
  }

  /// The four official IDX files with their MD5s (PAPER-NOTES.md; the current 2019-02-05
  /// release, the checksums torchvision uses) and sizes (data/kmnist/SOURCE.md).
  public static let officialFiles: [OfficialFile] = [
    OfficialFile(
      name: "train-images-idx3-ubyte.gz", md5: "bdb82020997e1d708af4cf47b453dcf7",
      byteCount: 18_165_135),
    OfficialFile(
      name: "train-labels-idx1-ubyte.gz", md5: "e144d726b3acfaa3e44228e80efcd344",
      byteCount: 29_497),
    OfficialFile(
      name: "t10k-images-idx3-ubyte.gz", md5: "5c965bf0a639b31b8f53240b1b52f4d7",
      byteCount: 3_041_136),
    OfficialFile(
      name: "t10k-labels-idx1-ubyte.gz", md5: "7320c461ea6c1c855c0b718fb2a4b134",
      byteCount: 5_120),
  ]

  /// The CC BY-SA 4.0 attribution to print or ship wherever KMNIST data is shown.
  public static let attribution =
    "KMNIST Dataset (created by CODH), adapted from Kuzushiji Dataset (created by NIJL and "
    + "others), doi:10.20676/00000341, CC BY-SA 4.0. Clanuwat et al. 2018, \"Deep Learning for "
    + "Classical Japanese Literature\", arXiv:1812.01718."

  /// Loads KMNIST from wherever `locator` finds it, by the protocol its files allow.
  /// - Parameters:
  ///   - locator: where to look (by default: no explicit path, the process environment, the
  ///     shipped sample found from the executable).
  ///   - seed: the split seed; keep the default to follow the documented protocols.
  /// - Returns: the splits; `notice` is set when the shipped sample is used.
  /// - Throws: `DataError` when nothing is found or a file is damaged.
  public static func load(locator: DataLocator = DataLocator(), seed: UInt64 = splitSeed) throws
    -> DataSplits
  {
    let location = try locator.locate()
    var splits = try load(folder: location.folder, seed: seed)
    if let notice = location.notice {
      // The locator's notice says where the data came from; a custom protocol's says why it is
      // not official, and both are kept.
      splits.notice =
        splits.protocolName == customProtocol
        ? [notice, splits.notice].compactMap { $0 }.joined(separator: "; ") : notice
    }
    return splits
  }

  /// Loads KMNIST from one folder, by the protocol its files allow: official (train and test
  /// files), kmnist-10k (test files only) or sample (the shipped sample's files).
  /// - Parameters:
  ///   - folder: a folder holding official IDX (.gz or raw) or .npz files, or the sample.
  ///   - seed: the split seed.
  /// - Throws: `DataError` `.notFound` when the folder holds no KMNIST files, or any reading error.
  public static func load(folder: String, seed: UInt64 = splitSeed) throws -> DataSplits {
    guard let files = KMNISTFolder(scanning: folder) else {
      throw DataError(
        .notFound, path: folder,
        "holds no KMNIST files (expected t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz, "
          + "raw or .npz, or the shipped sample)",
        hint:
          "run scripts/fetch-kmnist.sh, or point KMS_DATA at a folder holding the official files")
    }
    switch files.contents {
    case .official:
      let train = try readDataset(
        files.trainImages!, files.trainLabels!, name: "kmnist-train", provenance: "")
      let test = try readDataset(
        files.testImages, files.testLabels, name: "kmnist-test", provenance: "")
      let problems =
        releaseWarnings(
          [files.trainImages!, files.trainLabels!, files.testImages, files.testLabels])
        + sizeProblems(train: train.count, test: test.count)
      let (fit, validation) = try named(train, test: false, folder, problems)
        .splitValidation(fraction: 0.1, seed: seed)
      guard problems.isEmpty else {
        return DataSplits(
          train: fit, validation: validation, test: named(test, test: true, folder, problems),
          protocolName: customProtocol, notice: customNotice(folder, problems))
      }
      return DataSplits(
        train: fit, validation: validation, test: named(test, test: true, folder, []),
        protocolName: "official")
    case .testOnly:
      let read = try readDataset(
        files.testImages, files.testLabels, name: "kmnist-test", provenance: "")
      let problems =
        releaseWarnings([files.testImages, files.testLabels])
        + sizeProblems(train: nil, test: read.count)
      let test = named(read, test: true, folder, problems)
      guard problems.isEmpty else {
        var splits = try test.resplit70_10_20(seed: seed, protocolName: customProtocol)
        splits.notice = customNotice(folder, problems)
        return splits
      }
      var splits = try test.resplit70_10_20(seed: seed, protocolName: "kmnist-10k")
      splits.notice =
        "no KMNIST training images in \(folder): using the kmnist-10k protocol (the official "
        + "test set re-split 70/10/20); numbers are not comparable with the paper's"
      return splits
    case .sample:
      let sample = try readDataset(
        files.testImages, files.testLabels, name: "kmnist-sample",
        provenance: "shipped KMNIST sample (\(folder)), not the paper's protocol")
      var splits = try sample.resplit70_10_20(seed: seed, protocolName: "sample")
      splits.notice =
        "using the shipped KMNIST sample (\(grouped(sample.count)) official test images), not "
        + "the paper's protocol; run scripts/fetch-kmnist.sh for the full data"
      return splits
    }
  }

  /// The protocol of KMNIST-named files that are not exactly the official release.
  public static let customProtocol = "custom"

  /// Why files under KMNIST's names are not the official release: a `.gz` whose MD5 is not the
  /// official one (an old, pre 2019-02-05 copy, or other data), or a raw or `.npz` file, which
  /// has no published checksum and so cannot be verified. Empty when every file is verified.
  /// - Parameter paths: files to check.
  public static func releaseWarnings(_ paths: [String]) -> [String] {
    paths.compactMap { path in
      let name = (path as NSString).lastPathComponent
      guard let official = officialFiles.first(where: { $0.name == name }) else {
        return "\(name) cannot be checked against the official release (only the official .gz "
          + "files have published md5s)"
      }
      guard let actual = try? MD5.hexDigest(ofFileAt: path), actual != official.md5 else {
        return nil
      }
      return "\(name) has md5 \(actual), not the official \(official.md5) (an old KMNIST "
        + "release, or other data?)"
    }
  }

  /// Sizes that differ from the official 60,000 training and 10,000 test images.
  static func sizeProblems(train: Int?, test: Int) -> [String] {
    var problems: [String] = []
    if let train, train != 60_000 {
      problems.append("\(grouped(train)) training images, not the official 60,000")
    }
    if test != 10_000 { problems.append("\(grouped(test)) test images, not the official 10,000") }
    return problems
  }

  /// The dataset renamed and described for its protocol: official, or custom with the reasons.
  private static func named(_ dataset: Dataset, test: Bool, _ folder: String, _ problems: [String])
    -> Dataset
  {
    var result = dataset
    let part = test ? "test" : "train"
    if problems.isEmpty {
      result.provenance = "KMNIST official \(part) (\(folder))"
    } else {
      result.name = "\(customProtocol)-\(part)"
      result.provenance =
        "KMNIST-named \(part) files in \(folder), not the official release (custom protocol)"
    }
    return result
  }

  private static func customNotice(_ folder: String, _ problems: [String]) -> String {
    "the KMNIST files in \(folder) are not the official release ("
      + problems.joined(separator: "; ") + "): using the 'custom' protocol, whose numbers are "
      + "not comparable with the paper's; run scripts/fetch-kmnist.sh for the official files"
  }

  /// Reads an image file and a label file into a dataset with KMNIST's class names.
  /// - Parameters:
  ///   - imagesPath: IDX (.gz or raw) or .npz images.
  ///   - labelsPath: IDX (.gz or raw) or .npz labels.
  ///   - name: the dataset's name.
  ///   - provenance: exactly which data this is.
  ///   - classNames: the class names (KMNIST's by default).
  public static func readDataset(
    _ imagesPath: String, _ labelsPath: String, name: String,
    provenance: String, classNames: [String] = classNames
  ) throws
    -> Dataset
  {
    let images = try ByteImages(contentsOf: imagesPath)
    let labels = try ByteLabels(contentsOf: labelsPath)
    return try Dataset(
      images: images, labels: labels, classNames: classNames, name: name,
      provenance: provenance, labelsPath: labelsPath)
  }
}

/// The KMNIST files found in one folder, and which protocol they allow.
public struct KMNISTFolder: Equatable, Sendable {
  /// What a folder holds.
  public enum Contents: String, Equatable, Sendable {
    /// Train and test images and labels: the official protocol.
    case official
    /// Test images and labels only: the kmnist-10k protocol.
    case testOnly = "test only"
    /// The shipped sample.
    case sample
  }

  /// What the folder holds.
  public let contents: Contents
  /// The training images, when present.
  public let trainImages: String?
  /// The training labels, when present.
  public let trainLabels: String?
  /// The test images (or the sample's images).
  public let testImages: String
  /// The test labels (or the sample's labels).
  public let testLabels: String

  /// Accepted names for each file, best first: official gzip, raw IDX, official NumPy.
  static let names = (
    trainImages: [
      "train-images-idx3-ubyte.gz", "train-images-idx3-ubyte", "kmnist-train-imgs.npz",
    ],
    trainLabels: [
      "train-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte", "kmnist-train-labels.npz",
    ],
    testImages: ["t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte", "kmnist-test-imgs.npz"],
    testLabels: ["t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte", "kmnist-test-labels.npz"]
  )

  /// Looks for KMNIST files in `folder`; nil when it holds neither the test files nor the sample.
  /// - Parameter folder: the folder to scan.
  public init?(scanning folder: String) {
    func first(_ candidates: [String]) -> String? {
      candidates.map { (folder as NSString).appendingPathComponent($0) }.first(where: isFile)
    }
    let trainImages = first(Self.names.trainImages)
    let trainLabels = first(Self.names.trainLabels)
    if let testImages = first(Self.names.testImages), let testLabels = first(Self.names.testLabels)
    {
      let hasTrain = trainImages != nil && trainLabels != nil
      contents = hasTrain ? .official : .testOnly
      self.trainImages = hasTrain ? trainImages : nil
      self.trainLabels = hasTrain ? trainLabels : nil
      self.testImages = testImages
      self.testLabels = testLabels
    } else if let images = first([SampleData.imagesFileName]),
      let labels = first([SampleData.labelsFileName])
    {
      contents = .sample
      self.trainImages = nil
      self.trainLabels = nil
      testImages = images
      testLabels = labels
    } else {
      return nil
    }
  }
}

extension Dataset {
  /// The 70/10/20 stratified re-split that the kmnist-10k and sample protocols share.
  fileprivate func resplit70_10_20(seed: UInt64, protocolName: String) throws -> DataSplits {
    try resplit(
      trainFraction: 0.7, validationFraction: 0.1, testFraction: 0.2, seed: seed,
      protocolName: protocolName)
  }
}
