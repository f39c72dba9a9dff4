// Stratified, seeded splits.
//
// Every split here is exactly stratified: each class's examples are shuffled once with the seed
// (classes in label order, one RandomSource), then cut into consecutive chunks, one per part. A
// part's share of each class is its share of the whole, rounded by largest remainder so the part
// sizes come out exact; with balanced classes and divisible counts (60,000 → 54,000/6,000,
// 10,000 → 7,000/1,000/2,000) every class gets exactly the same count in a part. Within a part the
// rows keep their original order (trainers shuffle per epoch anyway). Same seed, same indices.
import KMSTensor

/// A dataset divided into training, validation and test parts, and the protocol that made them.
public struct DataSplits: Sendable, CustomStringConvertible {
  /// The examples to fit on.
  public var train: Dataset
  /// The examples for early stopping and model choice.
  public var validation: Dataset
  /// The held-out examples reported as test results.
  public var test: Dataset
  /// The protocol, such as `official`, `kmnist-10k`, `sample` or `fashion`.
  public var protocolName: String
  /// Something the user should be told about this data, such as "this is the shipped sample,
  /// not the paper's protocol"; nil when there is nothing to say.
  public var notice: String?

  /// Creates splits from their parts.
  /// - Parameters:
  ///   - train: the training part.
  ///   - validation: the validation part.
  ///   - test: the test part.
  ///   - protocolName: the protocol that made them.
  ///   - notice: a note to show the user, if any.
  public init(
    train: Dataset, validation: Dataset, test: Dataset, protocolName: String,
    notice: String? = nil
  ) {
    self.train = train
    self.validation = validation
    self.test = test
    self.protocolName = protocolName
    self.notice = notice
  }

  /// The same splits with each part transformed, such as replaced by its codes
  /// (`splits.map { $0.replacingFeatures(with: encoder(…)) }`); protocol and notice are kept.
  /// - Parameter transform: makes the new part from the old one.
  public func map(_ transform: (Dataset) throws -> Dataset) rethrows -> DataSplits {
    DataSplits(
      train: try transform(train), validation: try transform(validation),
      test: try transform(test), protocolName: protocolName, notice: notice)
  }

  /// The protocol, the three parts' summaries and the notice.
  public var description: String {
    var text =
      "\(protocolName) protocol: \(grouped(train.count)) train / "
      + "\(grouped(validation.count)) validation / \(grouped(test.count)) test\n"
    for part in [train, validation, test] {
      text += part.description.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
      text += "\n"
    }
    if let notice { text += "note: \(notice)\n" }
    return String(text.dropLast())
  }
}

extension Dataset {
  /// Partitions the rows into parts of the given sizes, each stratified by class (see the top of
  /// Split.swift). Parts are disjoint; rows not needed by any part are left out.
  /// - Parameters:
  ///   - counts: the size of each part; their sum must not exceed `count`.
  ///   - seed: the seed of the per-class shuffles.
  /// - Returns: each part's row indices, ascending.
  /// - Throws: `DataError` `.invalidRequest` for a negative count or too large a total.
  public func stratifiedPartition(counts: [Int], seed: UInt64) throws -> [[Int]] {
    guard counts.allSatisfy({ $0 >= 0 }), counts.reduce(0, +) <= count else {
      throw DataError(
        .invalidRequest, path: name,
        "cannot split \(grouped(count)) examples into parts of \(counts.map(grouped))",
        hint: "the part sizes must be non-negative and add up to at most \(grouped(count))")
    }
    let byClass = indicesByClass
    var remaining = byClass.map(\.count)
    let quotas = counts.map { partSize in
      let quota = proportionalQuota(
        partSize, classSizes: byClass.map(\.count),
        capacity: remaining)
      for k in quota.indices { remaining[k] -= quota[k] }
      return quota
    }
    return cut(byClass, into: quotas, seed: seed)
  }

  /// Splits off a validation part with the same number of examples from every class, as the
  /// paper does (10% of KMNIST's 60,000 training images: 600 of each class).
  /// - Parameters:
  ///   - fraction: the validation share of the whole; per class it is
  ///     round(fraction · count / classCount).
  ///   - seed: the seed of the per-class shuffles.
  /// - Returns: the remaining examples and the validation part.
  /// - Throws: `DataError` `.invalidRequest` when a class is too small or the fraction is outside
  ///   [0, 1].
  public func splitValidation(fraction: Double = 0.1, seed: UInt64) throws -> (
    train: Dataset, validation: Dataset
  ) {
    guard (0...1).contains(fraction) else {
      throw DataError(
        .invalidRequest, path: name, "validation fraction \(fraction) is not in 0...1")
    }
    let perClass = Int((fraction * Double(count) / Double(classCount)).rounded())
    return try splitValidation(perClass: perClass, seed: seed)
  }

  /// Splits off a validation part of exactly `perClass` examples of each class.
  /// - Parameters:
  ///   - perClass: validation examples per class.
  ///   - seed: the seed of the per-class shuffles.
  /// - Returns: the remaining examples and the validation part.
  /// - Throws: `DataError` `.invalidRequest` when a class has fewer than `perClass` examples.
  public func splitValidation(perClass: Int, seed: UInt64) throws -> (
    train: Dataset, validation: Dataset
  ) {
    let byClass = indicesByClass
    try requireExamples(
      perClass, inEachOf: byClass, for: "a validation split of \(perClass) per class")
    let validationQuota = byClass.map { _ in perClass }
    let trainQuota = byClass.map { $0.count - perClass }
    let parts = cut(byClass, into: [validationQuota, trainQuota], seed: seed)
    let how = "stratified, \(perClass) per class, seed \(seed)"
    return (
      subset(
        indices: parts[1], name: name + "-train",
        provenance: "\(provenance); train part after a validation split (\(how))"),
      subset(
        indices: parts[0], name: name + "-validation",
        provenance: "\(provenance); validation part (\(how))")
    )
  }

  /// Re-splits this dataset into train, validation and test parts of the given sizes, each
  /// stratified by class; the kmnist-10k protocol is `resplit(trainCount: 7000,
  /// validationCount: 1000, testCount: 2000, seed: KMNIST.splitSeed, protocolName: "kmnist-10k")`
  /// on the official test set.
  /// - Parameters:
  ///   - trainCount: examples in the train part.
  ///   - validationCount: examples in the validation part.
  ///   - testCount: examples in the test part.
  ///   - seed: the seed of the per-class shuffles.
  ///   - protocolName: the protocol's name, used in the parts' names and provenance.
  /// - Throws: `DataError` `.invalidRequest` when the counts are negative or add up to more than
  ///   `count`.
  public func resplit(
    trainCount: Int, validationCount: Int, testCount: Int, seed: UInt64,
    protocolName: String
  ) throws -> DataSplits {
    // NOTE: an empty part would train on nothing (loss 0), evaluate to "0 of 0, loss nan" or
    // early-stop on nothing, so it is refused here, where it would be made.
    let sizes = [("train", trainCount), ("validation", validationCount), ("test", testCount)]
    for (role, size) in sizes where size == 0 {
      throw DataError(
        .invalidRequest, path: name,
        "the \(role) part of this re-split would be empty (0 of \(grouped(count)) examples)",
        hint: "give every part at least one example of the \(grouped(count))")
    }
    // Test first, then validation, then train: the small held-out parts get the first, exact cut.
    let parts = try stratifiedPartition(
      counts: [testCount, validationCount, trainCount], seed: seed)
    let how =
      "re-split \(grouped(trainCount))/\(grouped(validationCount))/\(grouped(testCount)) "
      + "by the \(protocolName) protocol, stratified, seed \(seed)"
    func part(_ indices: [Int], _ role: String) -> Dataset {
      subset(
        indices: indices, name: "\(protocolName)-\(role)",
        provenance: "\(provenance); \(how): \(role) part")
    }
    return DataSplits(
      train: part(parts[2], "train"), validation: part(parts[1], "validation"),
      test: part(parts[0], "test"), protocolName: protocolName)
  }

  /// Re-splits this dataset into train, validation and test parts by fractions of `count`
  /// (rounded; when the fractions add up to 1 the train part takes the rest, so nothing is lost).
  /// - Parameters:
  ///   - trainFraction: the train share.
  ///   - validationFraction: the validation share.
  ///   - testFraction: the test share.
  ///   - seed: the seed of the per-class shuffles.
  ///   - protocolName: the protocol's name.
  /// - Throws: `DataError` `.invalidRequest` for fractions outside [0, 1] or adding up to more
  ///   than 1.
  public func resplit(
    trainFraction: Double, validationFraction: Double, testFraction: Double,
    seed: UInt64, protocolName: String
  ) throws -> DataSplits {
    let fractions = [trainFraction, validationFraction, testFraction]
    let total = fractions.reduce(0, +)
    guard fractions.allSatisfy({ (0...1).contains($0) }), total <= 1 + 1e-9 else {
      throw DataError(
        .invalidRequest, path: name,
        "split fractions \(fractions) must each be in 0...1 and add up to at most 1")
    }
    let validationCount = Int((validationFraction * Double(count)).rounded())
    let testCount = Int((testFraction * Double(count)).rounded())
    let trainCount =
      abs(total - 1) < 1e-9
      ? count - validationCount - testCount : Int((trainFraction * Double(count)).rounded())
    return try resplit(
      trainCount: min(trainCount, count - validationCount - testCount),
      validationCount: validationCount, testCount: testCount, seed: seed,
      protocolName: protocolName)
  }
}

/// Each class's share of a part of `partSize` rows, proportional to the class sizes, rounded by
/// largest remainder (ties to the lower label) and limited by what each class has left.
private func proportionalQuota(_ partSize: Int, classSizes: [Int], capacity: [Int]) -> [Int] {
  let total = classSizes.reduce(0, +)
  guard total > 0 else { return classSizes.map { _ in 0 } }
  var quota = classSizes.indices.map { min(partSize * classSizes[$0] / total, capacity[$0]) }
  var missing = partSize - quota.reduce(0, +)
  let byRemainder = classSizes.indices.sorted {
    let (a, b) = (partSize * classSizes[$0] % total, partSize * classSizes[$1] % total)
    return a != b ? a > b : $0 < $1
  }
  while missing > 0 {
    var progressed = false
    for k in byRemainder where missing > 0 && quota[k] < capacity[k] {
      quota[k] += 1
      missing -= 1
      progressed = true
    }
    precondition(progressed, "proportionalQuota: part of \(partSize) exceeds what is left")
  }
  return quota
}

/// Shuffles each class's rows with one seeded source (classes in label order) and cuts them into
/// consecutive chunks, `quotas[part][class]` rows each; returns each part's rows ascending.
private func cut(_ byClass: [[Int]], into quotas: [[Int]], seed: UInt64) -> [[Int]] {
  var rng = RandomSource(seed: seed)
  var parts = [[Int]](repeating: [], count: quotas.count)
  for (k, var members) in byClass.enumerated() {
    rng.shuffle(&members)
    var start = 0
    for part in quotas.indices {
      let end = start + quotas[part][k]
      parts[part] += members[start..<end]
      start = end
    }
  }
  return parts.map { $0.sorted() }
}
