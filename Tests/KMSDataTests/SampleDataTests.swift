import Foundation
import KMSData
import Testing

@Suite("Shipped sample")
struct SampleDataTests {
  let images = TestFiles.sampleFolder + "/" + SampleData.imagesFileName
  let labels = TestFiles.sampleFolder + "/" + SampleData.labelsFileName

  @Test("holds 3,000 images, 300 of each class, in official IDX format")
  func counts() throws {
    let sample = try KMNIST.readDataset(images, labels, name: "sample", provenance: "test")
    #expect(sample.count == 3000)
    #expect(sample.imageHeight == 28 && sample.imageWidth == 28)
    #expect(sample.classCounts == [Int](repeating: 300, count: 10))
    // The first 300 of each class in test-file order keep the test file's first labels.
    #expect(sample.labels.prefix(10) == [2, 9, 3, 8, 3, 3, 8, 3, 2, 5])
    #expect(pixelSum(sample) == 111_383_920)
  }

  @Test("has the md5s its README states")
  func checksums() throws {
    #expect(try MD5.hexDigest(ofFileAt: images) == "83c0e830205ddd12b208bba95c22ca03")
    #expect(try MD5.hexDigest(ofFileAt: labels) == "6cc9cc04300c012251b983572095cdb3")
    let readme = try String(contentsOfFile: TestFiles.sampleFolder + "/README.md", encoding: .utf8)
    #expect(readme.contains(try MD5.hexDigest(ofFileAt: images)))
    #expect(readme.contains(try MD5.hexDigest(ofFileAt: labels)))
  }

  @Test(
    "is rebuilt byte for byte from the official test set",
    .enabled(if: TestFiles.hasSharedKMNIST, "needs ../shared/data/kmnist"))
  func reproducible() throws {
    // KMS_REGENERATE_SAMPLE=1 writes the sample into samples/data (done once, then committed).
    let regenerate = ProcessInfo.processInfo.environment["KMS_REGENERATE_SAMPLE"] == "1"
    let scratch = try TemporaryFolder()
    let output = regenerate ? TestFiles.sampleFolder : scratch.path
    let sample = try SampleData.make(fromTestFolder: TestFiles.sharedKMNIST, into: output)
    #expect(sample.classCounts == [Int](repeating: 300, count: 10))
    // The rule: the first 300 of each class, in file order.
    let test = try KMNIST.readDataset(
      TestFiles.sharedKMNIST + "/t10k-images-idx3-ubyte.gz",
      TestFiles.sharedKMNIST + "/t10k-labels-idx1-ubyte.gz", name: "test", provenance: "test")
    let expected = test.indicesByClass.flatMap { $0.prefix(300) }.sorted()
    #expect(sample.sourceIndices == expected)
    let written = try Data(
      contentsOf: URL(fileURLWithPath: output + "/" + SampleData.imagesFileName))
    let shipped = try Data(contentsOf: URL(fileURLWithPath: images))
    #expect(written == shipped)
    let writtenLabels = try Data(
      contentsOf: URL(fileURLWithPath: output + "/" + SampleData.labelsFileName))
    #expect(writtenLabels == (try Data(contentsOf: URL(fileURLWithPath: labels))))
  }

  @Test("loads by the sample protocol, 2,100/300/600, announced as the sample")
  func protocolSplit() throws {
    let splits = try KMNIST.load(folder: TestFiles.sampleFolder)
    #expect(splits.protocolName == "sample")
    #expect(splits.train.classCounts == [Int](repeating: 210, count: 10))
    #expect(splits.validation.classCounts == [Int](repeating: 30, count: 10))
    #expect(splits.test.classCounts == [Int](repeating: 60, count: 10))
    #expect(splits.notice?.contains("shipped KMNIST sample") == true)
    #expect(splits.train.provenance.contains("shipped KMNIST sample"))
    #expect(splits.test.provenance.contains("not the paper's protocol"))
  }

  @Test("is found from the executable, the working folder and KMS_SAMPLES")
  func locatesSamples() throws {
    let root = TestFiles.packageRoot
    let samples = URL(fileURLWithPath: root + "/samples").standardizedFileURL.path
    let fromExecutable = SampleData.locateSamplesFolder(
      environment: [:], executablePath: root + "/.build/release/kms", currentFolder: "/")
    #expect(fromExecutable == samples)
    let fromWorkingFolder = SampleData.locateSamplesFolder(
      environment: [:], executablePath: "/usr/bin/kms", currentFolder: root + "/Sources/KMSData")
    #expect(fromWorkingFolder == samples)
    let fromEnvironment = SampleData.locateSamplesFolder(
      environment: ["KMS_SAMPLES": root + "/samples"], executablePath: nil, currentFolder: "/")
    #expect(fromEnvironment == samples)
    let fromDataFolder = SampleData.locateSamplesFolder(
      environment: ["KMS_SAMPLES": root + "/samples/data"], executablePath: nil, currentFolder: "/")
    #expect(fromDataFolder == samples)
    let nowhere = SampleData.locateSamplesFolder(
      environment: ["KMS_SAMPLES": "/nonexistent"], executablePath: "/usr/bin/kms",
      currentFolder: "/")
    #expect(nowhere == nil)
    // This test runs inside the package's .build folder, so the default finds it too.
    #expect(SampleData.locateDataFolder() == samples + "/data")
  }
}
