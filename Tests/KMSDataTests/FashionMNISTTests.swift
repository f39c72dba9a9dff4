import KMSData
import Testing

/// Debian's Fashion-MNIST (`apt-get install dataset-fashion-mnist`), when installed.
@Suite("Fashion-MNIST", .enabled(if: FashionMNIST.isInstalled(), "needs dataset-fashion-mnist"))
struct FashionMNISTTests {
  @Test("loads by the fashion protocol: 54,000/6,000 (600 per class)/10,000")
  func load() throws {
    let splits = try DataCatalog.load(named: "fashion-mnist")
    #expect(splits.protocolName == "fashion")
    #expect(splits.train.count == 54_000 && splits.test.count == 10_000)
    #expect(splits.validation.classCounts == [Int](repeating: 600, count: 10))
    #expect(splits.test.classCounts == [Int](repeating: 1000, count: 10))
    #expect(splits.train.imageHeight == 28 && splits.train.featureCount == 784)
    #expect(
      splits.test.classNames.first == "T-shirt" && splits.test.classNames.last == "Ankle boot")
    #expect(splits.test.provenance.hasPrefix("Fashion-MNIST test (Debian"))
    // Fashion-MNIST's published first test labels: ankle boot, pullover, trouser, trouser, shirt.
    #expect(splits.test.labels.prefix(5) == [9, 2, 1, 1, 6])
  }
}
