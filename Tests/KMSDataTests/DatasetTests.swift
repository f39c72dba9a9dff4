import Foundation
@testable import KMSData
import KMSTensor
import Testing

@Suite("Dataset")
struct DatasetTests {
  func dataset(perClass: Int = 5, classes: Int = 10) throws -> Dataset {
    let (images, labels) = syntheticImages(perClass: perClass, classes: classes)
    return try Dataset(
      images: images, labels: labels, classNames: KMNIST.classNames.prefix(classes).map { $0 },
      name: "synthetic", provenance: "synthetic test images")
  }

  @Test("scales pixels to pixel / 255 and flattens images into rows")
  func scaling() throws {
    let images = ByteImages(count: 2, rows: 1, columns: 3, pixels: [0, 255, 51, 1, 2, 128])
    let data = try Dataset(
      images: images, labels: ByteLabels([1, 0]), classNames: ["a", "b"],
      name: "tiny", provenance: "hand-made")
    #expect(data.features.shape == [2, 3])
    let expected: [Float] = [0, 1, 0.2, 1 / 255, 2 / 255, 128 / 255]
    #expect(data.features.scalars == expected)
    #expect(data.labels == [1, 0])
    #expect(data.imageHeight == 1 && data.imageWidth == 3 && data.hasImageShape)
    #expect(data.classCounts == [1, 1])
    #expect(data.byteImages() == images)
    #expect(data.image(at: 1).shape == [1, 3])
    #expect(data.image(at: 1).scalars == Array(expected[3..<6]))
  }

  @Test("refuses label files that do not match the images")
  func mismatches() throws {
    let (images, _) = syntheticImages(perClass: 1, classes: 2)
    #expect(throws: DataError.self) {
      try Dataset(
        images: images, labels: ByteLabels([0]), classNames: ["a", "b"], name: "x", provenance: "x")
    }
    do {
      _ = try Dataset(
        images: images, labels: ByteLabels([0, 7]), classNames: ["a", "b"], name: "x",
        provenance: "x", labelsPath: "labels.gz")
      Issue.record("an out-of-range label was accepted")
    } catch let error as DataError {
      #expect(error.kind == .mismatch && error.path == "labels.gz")
      #expect(error.message.contains("label 7 at index 1"))
    }
  }

  @Test("subsets by indices keep rows, labels and source indices together")
  func subsetByIndices() throws {
    let data = try dataset()
    let part = data.subset(indices: [7, 2, 2])
    #expect(part.count == 3)
    #expect(part.labels == [7, 2, 2])
    #expect(part.sourceIndices == [7, 2, 2])
    #expect(Array(part.features.rows(0..<1).scalars) == Array(data.features.rows(7..<8).scalars))
    // A subset of a subset still points into the original file.
    #expect(part.subset(indices: [1]).sourceIndices == [2])
    #expect(part.provenance.contains("subset of 3"))
  }

  @Test("merge puts one dataset's rows after another's and refuses other classes or shapes")
  func merge() throws {
    let data = try dataset()
    let (a, b) = (data.subset(indices: [3, 1]), data.subset(indices: [8]))
    let both = try a.merged(with: b)
    #expect(both.count == 3 && both.labels == [3, 1, 8] && both.sourceIndices == [3, 1, 8])
    #expect(both.features.scalars == a.features.scalars + b.features.scalars)
    #expect(both.hasImageShape && both.provenance.hasPrefix(a.provenance))
    let fewer = try dataset(classes: 3)
    #expect(throws: DataError.self) { try data.merged(with: fewer) }
    let codes = data.replacingFeatures(with: Tensor(shape: [data.count, 4]))
    do {
      _ = try data.merged(with: codes)
      Issue.record("images merged with 4-feature codes")
    } catch let error as DataError {
      #expect(error.kind == .mismatch && error.message.contains("4-feature"), "\(error.message)")
    }
  }

  @Test("two parts of one split name their common source once when merged")
  func mergedProvenance() {
    let source = "KMNIST test set (/data), re-split 7,000/1,000/2,000, seed 1812"
    #expect(Dataset.mergedProvenance("\(source): train part", "\(source): validation part")
      == "\(source): train part + validation part")
    #expect(Dataset.mergedProvenance("sample: train part", "Fashion-MNIST: test part")
      == "sample: train part + Fashion-MNIST: test part")
    #expect(Dataset.mergedProvenance("one file", "another file") == "one file + another file")
  }

  @Test("first and random n per class, stratified; random is seed-stable")
  func perClassSubsets() throws {
    let data = try dataset(perClass: 20)
    let first = try data.subset(perClass: 3)
    #expect(first.classCounts == [Int](repeating: 3, count: 10))
    #expect(first.sourceIndices == Array(0..<30))  // labels cycle 0…9, so the first 30 rows
    let random = try data.subset(perClass: 3, seed: 7)
    #expect(random.classCounts == [Int](repeating: 3, count: 10))
    #expect(random.sourceIndices == (try data.subset(perClass: 3, seed: 7)).sourceIndices)
    #expect(random.sourceIndices != (try data.subset(perClass: 3, seed: 8)).sourceIndices)
    #expect(random.sourceIndices == random.sourceIndices.sorted())
    #expect(throws: DataError.self) { try data.subset(perClass: 21) }
  }

  @Test("encoded datasets keep the labels and drop the image shape")
  func codes() throws {
    let data = try dataset(perClass: 2)
    let codes = Tensor(shape: [20, 3], repeating: 0.5)
    let encoded = data.replacingFeatures(with: codes, name: "codes")
    #expect(encoded.labels == data.labels && encoded.featureCount == 3)
    #expect(!encoded.hasImageShape && encoded.imageHeight == 0)
    #expect(encoded.provenance == "codes of synthetic test images")
    let direct = Dataset(
      codes: codes, labels: data.labels, classNames: data.classNames,
      provenance: "SAE codes of the sample")
    #expect(direct.count == 20 && direct.provenance == "SAE codes of the sample")
  }

  @Test("writes IDX that reads back to the same dataset")
  func writeIDX() throws {
    let folder = try TemporaryFolder()
    let data = try dataset(perClass: 3)
    try data.writeIDX(imagesTo: folder.file("i.gz"), labelsTo: folder.file("l.gz"))
    let back = try KMNIST.readDataset(
      folder.file("i.gz"), folder.file("l.gz"), name: "back", provenance: "x")
    #expect(back.features.isIdentical(to: data.features))
    #expect(back.labels == data.labels)
  }

  @Test("prints a summary with name, provenance, shape and class counts")
  func summary() throws {
    let text = try dataset(perClass: 1000).description
    #expect(
      text == """
        synthetic: synthetic test images
          10,000 examples × 784 features (28×28 images in [0, 1]), 10 classes
          per class: o 1000 · ki 1000 · su 1000 · tsu 1000 · na 1000 · ha 1000 · ma 1000 · ya 1000 · re 1000 · wo 1000
        """)
  }
}
