import Foundation
import KMSData
import Testing

@Suite("Data locator")
struct DataLocatorTests {
  /// Four candidate folders, each holding synthetic KMNIST test files, and a sample folder.
  struct Fixture {
    let root: TemporaryFolder
    let explicit: String
    let environment: String
    let cacheHome: String
    let sample: String

    init() throws {
      root = try TemporaryFolder()
      explicit = try root.folder("explicit")
      environment = try root.folder("env")
      cacheHome = try root.folder("xdg")
      let cache = try root.folder("xdg/kms/kmnist")
      sample = try root.folder("samples/data")
      for folder in [explicit, environment, cache] { try writeSyntheticKMNIST(into: folder) }
      let (images, labels) = syntheticImages(perClass: 10)
      try images.writeIDX(to: sample + "/" + SampleData.imagesFileName)
      try labels.writeIDX(to: sample + "/" + SampleData.labelsFileName)
    }

    func locator(explicit: Bool, environment: Bool, cache: Bool) throws -> DataLocator {
      if !cache { try FileManager.default.removeItem(atPath: cacheHome + "/kms") }
      var variables = ["XDG_CACHE_HOME": cacheHome, "HOME": root.path]
      if environment { variables["KMS_DATA"] = self.environment }
      return DataLocator(
        explicitPath: explicit ? self.explicit : nil, environment: variables,
        sampleFolder: sample)
    }
  }

  @Test("an explicit path comes first")
  func explicitFirst() throws {
    let fixture = try Fixture()
    let location = try fixture.locator(explicit: true, environment: true, cache: true).locate()
    #expect(location.origin == .explicitPath && location.folder == fixture.explicit)
    #expect(location.contents == .testOnly && location.notice == nil)
  }

  @Test("then KMS_DATA")
  func environmentSecond() throws {
    let fixture = try Fixture()
    let location = try fixture.locator(explicit: false, environment: true, cache: true).locate()
    #expect(location.origin == .environment && location.folder == fixture.environment)
  }

  @Test("then the cache folder, $XDG_CACHE_HOME/kms/kmnist")
  func cacheThird() throws {
    let fixture = try Fixture()
    let location = try fixture.locator(explicit: false, environment: false, cache: true).locate()
    #expect(location.origin == .cache && location.folder == fixture.cacheHome + "/kms/kmnist")
  }

  @Test("then the shipped sample, announced as such")
  func sampleLast() throws {
    let fixture = try Fixture()
    let locator = try fixture.locator(explicit: false, environment: false, cache: false)
    let location = try locator.locate()
    #expect(location.origin == .sample && location.isSample && location.folder == fixture.sample)
    #expect(location.notice?.contains("using the shipped sample") == true)
    let splits = try KMNIST.load(locator: locator)
    #expect(splits.protocolName == "sample")
    #expect(splits.notice == location.notice)
  }

  @Test("with nothing anywhere, the error says where it looked and how to fix it")
  func nothing() throws {
    let root = try TemporaryFolder()
    let locator = DataLocator(environment: ["HOME": root.path], sampleFolder: nil)
    #expect(locator.cacheFolder == root.path + "/.cache/kms/kmnist")
    do {
      _ = try locator.locate()
      Issue.record("located something in an empty home")
    } catch let error as DataError {
      #expect(error.kind == .notFound)
      #expect(error.hint?.contains("scripts/fetch-kmnist.sh") == true)
    }
  }

  @Test("a named folder without KMNIST is an error, never a silent fall-back to the sample")
  func namedButEmpty() throws {
    let fixture = try Fixture()
    let empty = try fixture.root.folder("empty")
    let explicit = DataLocator(explicitPath: empty, environment: [:], sampleFolder: fixture.sample)
    #expect(throws: DataError.self) { try explicit.locate() }
    let missing = DataLocator(
      explicitPath: empty + "/nope", environment: [:], sampleFolder: fixture.sample)
    #expect(throws: DataError.self) { try missing.locate() }
    let environment = DataLocator(environment: ["KMS_DATA": empty], sampleFolder: fixture.sample)
    #expect(throws: DataError.self) { try environment.locate() }
    let file = fixture.explicit + "/t10k-images-idx3-ubyte.gz"
    #expect(throws: DataError.self) {
      try DataLocator(explicitPath: file, environment: [:], sampleFolder: fixture.sample).locate()
    }
  }

  @Test("files not the official release (md5, 60,000/10,000) get the custom protocol everywhere")
  func protocols() throws {
    let root = try TemporaryFolder()
    let official = try root.folder("official")
    try writeSyntheticKMNIST(into: official, testPerClass: 10, trainPerClass: 20)
    let splits = try KMNIST.load(folder: official)
    #expect(splits.protocolName == "custom")
    #expect(splits.train.count == 180 && splits.validation.count == 20 && splits.test.count == 100)
    #expect(splits.validation.classCounts == [Int](repeating: 2, count: 10))
    #expect(splits.test.name == "custom-test")
    for part in [splits.train, splits.validation, splits.test] {
      #expect(!part.provenance.contains("KMNIST official"), "\(part.provenance)")
      #expect(part.provenance.contains("not the official release (custom protocol)"))
    }
    let notice = try #require(splits.notice)
    #expect(notice.contains("t10k-images-idx3-ubyte.gz has md5"))
    #expect(notice.contains("200 training images, not the official 60,000"))
    #expect(notice.contains("100 test images, not the official 10,000"))
    #expect(notice.contains("'custom' protocol"))
    #expect(splits.description.hasPrefix("custom protocol:"))

    let testOnly = try root.folder("test-only")
    try writeSyntheticKMNIST(into: testOnly, testPerClass: 10)
    let resplit = try KMNIST.load(folder: testOnly)
    #expect(resplit.protocolName == "custom")
    #expect(resplit.train.count == 70 && resplit.validation.count == 10 && resplit.test.count == 20)
    #expect(resplit.test.provenance.contains("custom protocol"))
    #expect(resplit.notice?.contains("not comparable with the paper") == true)
  }

  @Test("a re-split with an empty part, or files with no images, is refused where it is made")
  func emptySets() throws {
    let root = try TemporaryFolder()
    let folder = try root.folder("data")
    try writeSyntheticKMNIST(into: folder, testPerClass: 10)
    let test = try KMNIST.load(folder: folder).test
    #expect {
      try test.resplit(trainCount: 0, validationCount: 0, testCount: 0, seed: 1, protocolName: "x")
    } throws: { error in
      (error as? DataError)?.message.contains("train part of this re-split would be empty") == true
    }
    // Fractions that round to nothing are the same mistake.
    #expect {
      try test.resplit(
        trainFraction: 0.9, validationFraction: 0.001, testFraction: 0.05, seed: 1,
        protocolName: "x")
    } throws: { error in
      (error as? DataError)?.message.contains("validation part") == true
    }
    let empty = ByteImages(count: 0, rows: 28, columns: 28, pixels: [])
    #expect {
      try Dataset(
        images: empty, labels: ByteLabels([]), classNames: ["a"], name: "e",
        provenance: "none")
    } throws: { error in
      (error as? DataError)?.message.contains("holds no images") == true
    }
  }

  @Test("npz files are found too")
  func npzFolder() throws {
    let root = try TemporaryFolder()
    let (images, labels) = syntheticImages(perClass: 3)
    try images.writeNPZ(to: root.file("kmnist-test-imgs.npz"))
    try labels.writeNPZ(to: root.file("kmnist-test-labels.npz"))
    let folder = try #require(KMNISTFolder(scanning: root.path))
    #expect(folder.contents == .testOnly && folder.testImages.hasSuffix(".npz"))
    #expect(try KMNIST.load(folder: root.path).test.count == 6)
  }

  @Test("the cache folder falls back to ~/.cache when XDG_CACHE_HOME is unset or relative")
  func cacheFolder() {
    #expect(
      DataLocator.cacheFolder(environment: ["HOME": "/home/u"]) == "/home/u/.cache/kms/kmnist")
    #expect(
      DataLocator.cacheFolder(environment: ["HOME": "/home/u", "XDG_CACHE_HOME": "rel"])
        == "/home/u/.cache/kms/kmnist")
    #expect(DataLocator.cacheFolder(environment: ["XDG_CACHE_HOME": "/c"]) == "/c/kms/kmnist")
  }

  @Test("datasets load by name; unknown names list the known ones")
  func catalog() throws {
    let sample = try DataCatalog.load(named: "kmnist-sample")
    #expect(sample.protocolName == "sample" && sample.train.count == 2100)
    do {
      _ = try DataCatalog.load(named: "mnist")
      Issue.record("loaded an unknown dataset")
    } catch let error as DataError {
      #expect(error.kind == .unknownDataset)
      #expect(error.hint == "known datasets: kmnist, kmnist-sample, fashion-mnist")
    }
  }
}
