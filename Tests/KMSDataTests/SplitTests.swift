import KMSData
import KMSTensor
import Testing

@Suite("Stratified splits")
struct SplitTests {
  /// A dataset with the given class sizes; row i's only feature is i, so rows are traceable.
  func dataset(classSizes: [Int]) -> Dataset {
    var labels: [Int32] = []
    for (label, size) in classSizes.enumerated() {
      labels += [Int32](repeating: Int32(label), count: size)
    }
    // Interleave classes so that class membership is not a contiguous block.
    var rng = RandomSource(seed: 99)
    rng.shuffle(&labels)
    let features = Tensor(shape: [labels.count, 1], scalars: (0..<labels.count).map(Float.init))
    return Dataset(
      name: "d", provenance: "test data", features: features, labels: labels,
      classNames: classSizes.indices.map { "c\($0)" })
  }

  func expectPartition(
    _ splits: DataSplits, of data: Dataset,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let all =
      splits.train.sourceIndices + splits.validation.sourceIndices + splits.test.sourceIndices
    #expect(Set(all).count == all.count, "parts overlap", sourceLocation: sourceLocation)
    for part in [splits.train, splits.validation, splits.test] {
      // Rows carry their own features and labels along.
      for (row, index) in part.sourceIndices.enumerated() {
        #expect(part.features.data[row] == Float(index), sourceLocation: sourceLocation)
        #expect(part.labels[row] == data.labels[index], sourceLocation: sourceLocation)
      }
    }
  }

  @Test("kmnist-10k: 10,000 balanced → 7,000/1,000/2,000 with exactly 700/100/200 per class")
  func kmnist10k() throws {
    let data = dataset(classSizes: [Int](repeating: 1000, count: 10))
    let splits = try data.resplit(
      trainCount: 7000, validationCount: 1000, testCount: 2000,
      seed: KMNIST.splitSeed, protocolName: "kmnist-10k")
    #expect(splits.train.classCounts == [Int](repeating: 700, count: 10))
    #expect(splits.validation.classCounts == [Int](repeating: 100, count: 10))
    #expect(splits.test.classCounts == [Int](repeating: 200, count: 10))
    expectPartition(splits, of: data)
    #expect(splits.protocolName == "kmnist-10k" && splits.test.name == "kmnist-10k-test")
    #expect(
      splits.test.provenance.contains("re-split 7,000/1,000/2,000 by the kmnist-10k protocol"))
    #expect(splits.test.provenance.contains("seed 1812"))
  }

  @Test("by fractions gives the same split as the equivalent counts")
  func fractions() throws {
    let data = dataset(classSizes: [Int](repeating: 100, count: 10))
    let byFraction = try data.resplit(
      trainFraction: 0.7, validationFraction: 0.1, testFraction: 0.2,
      seed: 5, protocolName: "p")
    let byCount = try data.resplit(
      trainCount: 700, validationCount: 100, testCount: 200, seed: 5,
      protocolName: "p")
    #expect(byFraction.train.sourceIndices == byCount.train.sourceIndices)
    #expect(byFraction.test.sourceIndices == byCount.test.sourceIndices)
    // map keeps the protocol and transforms each part.
    let renamed = byCount.map { part in
      var copy = part
      copy.name += "!"
      return copy
    }
    #expect(renamed.protocolName == "p" && renamed.test.name == "p-test!")
  }

  @Test("the same seed gives the same indices; another seed gives others")
  func seedStable() throws {
    let data = dataset(classSizes: [Int](repeating: 50, count: 10))
    let a = try data.resplit(
      trainCount: 300, validationCount: 100, testCount: 100, seed: 1, protocolName: "p")
    let b = try data.resplit(
      trainCount: 300, validationCount: 100, testCount: 100, seed: 1, protocolName: "p")
    let c = try data.resplit(
      trainCount: 300, validationCount: 100, testCount: 100, seed: 2, protocolName: "p")
    #expect(a.test.sourceIndices == b.test.sourceIndices)
    #expect(a.validation.sourceIndices == b.validation.sourceIndices)
    #expect(a.train.sourceIndices == b.train.sourceIndices)
    #expect(a.test.sourceIndices != c.test.sourceIndices)
    // Parts keep the original row order.
    #expect(a.train.sourceIndices == a.train.sourceIndices.sorted())
  }

  @Test("the paper's validation split: 10% with an equal count per class (600 of 6,000 each)")
  func paperValidation() throws {
    let data = dataset(classSizes: [Int](repeating: 600, count: 10))
    let (train, validation) = try data.splitValidation(fraction: 0.1, seed: KMNIST.splitSeed)
    #expect(validation.classCounts == [Int](repeating: 60, count: 10))
    #expect(train.classCounts == [Int](repeating: 540, count: 10))
    #expect(Set(train.sourceIndices).isDisjoint(with: validation.sourceIndices))
    #expect(train.count + validation.count == data.count)
    let again = try data.splitValidation(fraction: 0.1, seed: KMNIST.splitSeed)
    #expect(again.validation.sourceIndices == validation.sourceIndices)
    #expect(validation.provenance.contains("60 per class, seed 1812"))
  }

  @Test("unbalanced classes: part sizes exact, each class's share as even as rounding allows")
  func unbalanced() throws {
    let data = dataset(classSizes: [10, 25, 7, 58])
    let splits = try data.resplit(
      trainCount: 70, validationCount: 10, testCount: 20, seed: 3,
      protocolName: "p")
    #expect(splits.train.count == 70 && splits.validation.count == 10 && splits.test.count == 20)
    expectPartition(splits, of: data)
    let sizes = [10, 25, 7, 58]
    for (part, total) in [(splits.test, 20), (splits.validation, 10)] {
      for (k, n) in part.classCounts.enumerated() {
        let ideal = Double(total * sizes[k]) / 100
        #expect(abs(Double(n) - ideal) < 1, "class \(k): \(n) vs ideal \(ideal)")
      }
    }
  }

  @Test("impossible requests are errors, not crashes")
  func invalid() throws {
    let data = dataset(classSizes: [5, 5])
    #expect(throws: DataError.self) {
      try data.resplit(trainCount: 8, validationCount: 2, testCount: 2, seed: 1, protocolName: "p")
    }
    #expect(throws: DataError.self) {
      try data.resplit(
        trainFraction: 0.8, validationFraction: 0.3, testFraction: 0.1, seed: 1, protocolName: "p")
    }
    #expect(throws: DataError.self) { try data.splitValidation(perClass: 6, seed: 1) }
    #expect(throws: DataError.self) { try data.stratifiedPartition(counts: [-1], seed: 1) }
  }
}
