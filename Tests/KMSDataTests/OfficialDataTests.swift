import Foundation
import KMSData
import Testing

/// The real official files, when the shared data folder sits beside the clone (as on CI).
@Suite(
  "Official KMNIST files", .enabled(if: TestFiles.hasSharedKMNIST, "needs ../shared/data/kmnist"))
struct OfficialDataTests {
  let folder = TestFiles.sharedKMNIST

  @Test("the test set: 10,000 × 28 × 28, 1,000 per class, pixel sum 368,966,405")
  func testSet() throws {
    let test = try KMNIST.readDataset(
      folder + "/t10k-images-idx3-ubyte.gz", folder + "/t10k-labels-idx1-ubyte.gz",
      name: "kmnist-test", provenance: "official test")
    #expect(test.count == 10_000)
    #expect(test.imageHeight == 28 && test.imageWidth == 28 && test.featureCount == 784)
    #expect(test.classCounts == [Int](repeating: 1000, count: 10))
    #expect(pixelSum(test) == 368_966_405)
    #expect(test.labels.prefix(10) == [2, 9, 3, 8, 3, 3, 8, 3, 2, 5])
    #expect(test.classNames == ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"])
  }

  @Test("the train labels: 60,000, 6,000 per class, first labels 8 7 0 1 4 2 4 8 1 1")
  func trainLabels() throws {
    let labels = try ByteLabels(contentsOf: folder + "/train-labels-idx1-ubyte.gz").values
    #expect(labels.count == 60_000)
    #expect(labels.prefix(10) == [8, 7, 0, 1, 4, 2, 4, 8, 1, 1])
    var counts = [Int](repeating: 0, count: 10)
    for label in labels { counts[Int(label)] += 1 }
    #expect(counts == [Int](repeating: 6000, count: 10))
  }

  @Test("the folder loads by the kmnist-10k protocol: 7,000/1,000/2,000, 700/100/200 per class")
  func kmnist10k() throws {
    let splits = try KMNIST.load(
      locator: DataLocator(explicitPath: folder, environment: [:], sampleFolder: nil))
    #expect(splits.protocolName == "kmnist-10k")
    // The real files pass the md5 check: no release warning, provenance says official.
    #expect(splits.notice?.contains("md5") == false)
    #expect(splits.test.provenance.hasPrefix("KMNIST official test (\(folder));"))
    #expect(splits.train.classCounts == [Int](repeating: 700, count: 10))
    #expect(splits.validation.classCounts == [Int](repeating: 100, count: 10))
    #expect(splits.test.classCounts == [Int](repeating: 200, count: 10))
    let all = Set(
      splits.train.sourceIndices + splits.validation.sourceIndices + splits.test.sourceIndices)
    #expect(all == Set(0..<10_000))
    // The documented split, pinned: these are the first test-part rows of the official test
    // file under seed 1812, so a change to the split algorithm cannot pass unnoticed.
    #expect(Array(splits.test.sourceIndices.prefix(8)) == [3, 4, 14, 20, 32, 46, 71, 74])
  }
}
