import Foundation
import KMSTensor
import KMSData

// Data bindings: load KMNIST (discovery, explicit path, fetch), Fashion-MNIST, re-split, subset
// per class. Every dataset and split says where its numbers come from (its provenance).

/// A dataset in kms: images (or codes) with labels and their provenance.
public final class DatasetObject: HostObject {
  /// The library dataset.
  public let dataset: Dataset

  /// Wraps a dataset.
  /// - Parameter dataset: the dataset.
  public init(_ dataset: Dataset) { self.dataset = dataset }

  /// `kmnist-10k-train: 7,000 × 784, 10 classes (…)`.
  public var summary: String {
    "\(dataset.name): \(dataset.count) × \(dataset.featureCount), \(dataset.classCount) classes"
  }

  /// The dataset's own multi-line summary (counts per class, provenance).
  public var description: String { dataset.description }

  /// The kms type `dataset`.
  public static let hostType = HostType(
    name: "dataset", summary: "images (or codes) with labels, and where they came from",
    attributes: [
      .attribute("count", of: DatasetObject.self, type: .integer, summary: "the number of examples") {
        .number(Double($0.dataset.count))
      },
      .attribute("features", of: DatasetObject.self, type: .integer, summary: "features per example (784 for images)") {
        .number(Double($0.dataset.featureCount))
      },
      .attribute("classes", of: DatasetObject.self, type: .listOf(.string), summary: "the class names, by label") {
        .list($0.dataset.classNames.map { .string($0) })
      },
      .attribute("class_counts", of: DatasetObject.self, type: .listOf(.number), summary: "examples per class, by label") {
        .list($0.dataset.classCounts.map { .number(Double($0)) })
      },
      .attribute("labels", of: DatasetObject.self, type: .listOf(.number), summary: "every example's label, as a list") {
        .list($0.dataset.labels.map { .number(Double($0)) })
      },
      .attribute("name", of: DatasetObject.self, type: .string, summary: "the dataset's name") { .string($0.dataset.name) },
      .attribute("provenance", of: DatasetObject.self, type: .string, summary: "exactly which data this is") {
        .string($0.dataset.provenance)
      },
    ],
    methods: [
      .method(
        "subset", of: DatasetObject.self, returns: .host("dataset"),
        parameters: [.keyword("per_class", .integer, default: .number(100)),
                     .keyword("seed", .optional(.integer), default: .none)],
        summary: "the first (or, with a seed, random) per_class examples of each class",
        example: "small = data.train.subset(per_class: 50)"
      ) { object, arguments in
        let perClass = try arguments.integer("per_class", atLeast: 1)
        let seed = try arguments.optionalSeed("seed")
        return try libraryCall(arguments) { .host(DatasetObject(try object.dataset.subset(perClass: perClass, seed: seed))) }
      },
      .method(
        "resplit", of: DatasetObject.self, returns: .host("data"),
        parameters: [.keyword("train", .number, default: .number(0.7)),
                     .keyword("validation", .number, default: .number(0.1)),
                     .keyword("test", .number, default: .number(0.2)),
                     .keyword("seed", .integer, default: .number(Double(KMNIST.splitSeed)))],
        summary: "splits this dataset into train/validation/test, stratified, by fractions or counts",
        example: "parts = data.test.resplit(train: 7000, validation: 1000, test: 2000)"
      ) { object, arguments in try resplit(object.dataset, arguments) },
      .method(
        "merge", of: DatasetObject.self, returns: .host("dataset"),
        parameters: [.required("other", .host("dataset"))],
        summary: "this dataset's examples followed by another's (same classes and shape)",
        example: "all = data.train.merge(data.validation)"
      ) { object, arguments in
        let other = try arguments.host("other", as: DatasetObject.self)
        return try libraryCall(arguments) {
          .host(DatasetObject(try object.dataset.merged(with: other.dataset)))
        }
      },
    ])
}

/// A host object whose printed form carries long notes (a dataset's provenance, a protocol's
/// notice) that a session needs to read once, not on every `print`.
protocol NotesOnce: HostObject {
  /// The printed form, with notes already in `shown` replaced by a pointer to where they are
  /// kept; the notes printed are added to `shown`.
  func description(shown: inout Set<String>) -> String
}

extension DatasetObject: NotesOnce {
  func description(shown: inout Set<String>) -> String {
    let full = dataset.description
    guard shown.insert(dataset.provenance).inserted else {
      return full.replacingOccurrences(
        of: "\(dataset.name): \(dataset.provenance)",
        with: "\(dataset.name): (provenance printed above; .provenance has it)")
    }
    return full
  }
}

extension SplitsObject: NotesOnce {
  func description(shown: inout Set<String>) -> String {
    var text =
      "\(splits.protocolName) protocol: \(grouped(splits.train.count)) train / "
      + "\(grouped(splits.validation.count)) validation / \(grouped(splits.test.count)) test\n"
    for part in [splits.train, splits.validation, splits.test] {
      text += DatasetObject(part).description(shown: &shown).split(separator: "\n")
        .map { "  " + $0 }.joined(separator: "\n") + "\n"
    }
    if let notice = splits.notice, shown.insert(notice).inserted { text += "note: \(notice)\n" }
    return String(text.dropLast())
  }
}

// Datasets are sequences: len(d), d[0], d[10:20], for example in d { … }.
extension DatasetObject: HostSequence {
  /// The number of examples.
  public var count: Int { dataset.count }

  /// The features of an example, its label, class and index.
  public var valuesPerElement: Int { dataset.featureCount + 4 }

  /// Example `position` as a record: `{image: [784 numbers], label: 3, class: "tsu", index: …}`
  /// (`features` instead of `image` for codes).
  public func element(at position: Int) throws -> Value {
    let record = Record()
    let row = dataset.features.rows(position..<(position + 1))
    let values = Value.list(row.scalars.map { Value.float($0) })
    record[dataset.hasImageShape ? "image" : "features"] = values
    let label = Int(dataset.labels[position])
    record["label"] = .number(Double(label))
    record["class"] = .string(dataset.classNames[label])
    record["index"] = .number(Double(dataset.sourceIndices[position]))
    return .record(record)
  }

  /// A slice is a dataset of those examples, in that order.
  public func elements(at positions: [Int]) throws -> Value {
    let provenance = "\(dataset.provenance), \(grouped(positions.count)) examples sliced"
    return .host(DatasetObject(dataset.subset(indices: positions, provenance: provenance)))
  }
}

/// Train, validation and test datasets under one protocol (official, kmnist-10k, sample, fashion).
public final class SplitsObject: HostObject {
  /// The library splits.
  public let splits: DataSplits

  /// Wraps splits.
  /// - Parameter splits: the splits.
  public init(_ splits: DataSplits) { self.splits = splits }

  /// `kmnist-10k: 7,000 / 1,000 / 2,000`.
  public var summary: String {
    "\(splits.protocolName) protocol: \(splits.train.count) train / \(splits.validation.count) "
      + "validation / \(splits.test.count) test"
  }

  /// The splits' own multi-line summary.
  public var description: String { splits.description }

  /// The kms type `data`.
  public static let hostType = HostType(
    name: "data", summary: "train, validation and test datasets under one protocol",
    attributes: [
      .attribute("train", of: SplitsObject.self, type: .host("dataset"), summary: "the training set") { .host(DatasetObject($0.splits.train)) },
      .attribute("validation", of: SplitsObject.self, type: .host("dataset"), summary: "the validation set") {
        .host(DatasetObject($0.splits.validation))
      },
      .attribute("test", of: SplitsObject.self, type: .host("dataset"), summary: "the test set") { .host(DatasetObject($0.splits.test)) },
      .attribute("protocol", of: SplitsObject.self, type: .string, summary: "official, kmnist-10k, sample or fashion") {
        .string($0.splits.protocolName)
      },
      .attribute("notice", of: SplitsObject.self, summary: "why this is not the paper's protocol, if it is not") {
        $0.splits.notice.map { .string($0) } ?? .none
      },
      .attribute("classes", of: SplitsObject.self, type: .listOf(.string), summary: "the class names, by label") {
        .list($0.splits.train.classNames.map { .string($0) })
      },
    ])
}

extension Arguments {
  /// An optional integer seed argument.
  func optionalSeed(_ name: String) throws(RuntimeError) -> UInt64? {
    if case .none = self[name] { return nil }
    let seed = try integer(name)
    try require(name, seed >= 0, "≥ 0")
    return UInt64(seed)
  }
}

/// `resplit(dataset, train:, validation:, test:, seed:)`: numbers ≤ 1 are fractions, larger ones
/// counts.
private func resplit(_ dataset: Dataset, _ arguments: Arguments) throws -> Value {
  let parts = try ["train", "validation", "test"].map { name throws(RuntimeError) in
    let value = try arguments.number(name)
    try arguments.require(name, value.isFinite && value >= 0, "≥ 0")
    // Checked before any conversion to Int: 1e19 must not wrap around to a negative count.
    if value > 1 && value > Double(dataset.count) {
      throw arguments.error(
        "\(name) asks for \(Value.format(value)) examples, but '\(dataset.name)' has "
          + "\(grouped(dataset.count))",
        help: "counts must add up to at most \(grouped(dataset.count)); numbers ≤ 1 are fractions")
    }
    return value
  }
  let seed = try arguments.integer("seed", atLeast: 0)
  let splits = try libraryCall(arguments) {
    if parts.allSatisfy({ $0 <= 1 }) {
      return try dataset.resplit(
        trainFraction: parts[0], validationFraction: parts[1], testFraction: parts[2],
        seed: UInt64(seed), protocolName: "resplit")
    }
    guard parts.allSatisfy({ $0 == $0.rounded() }) else {
      throw arguments.error("give all three parts as fractions (≤ 1) or all as counts",
                            help: "e.g. resplit(train: 7000, validation: 1000, test: 2000)")
    }
    return try dataset.resplit(
      trainCount: Int(parts[0]), validationCount: Int(parts[1]), testCount: Int(parts[2]),
      seed: UInt64(seed), protocolName: "resplit")
  }
  return .host(SplitsObject(splits))
}

extension BuiltinRegistry {
  /// Registers the data builtins and host types.
  public func registerData() {
    register(DatasetObject.hostType)
    register(SplitsObject.hostType)
    register(
      Builtin(
        "kmnist", returns: .host("data"),
        parameters: [.optional("path", .optional(.string), default: .none),
                     .keyword("sample", .boolean, default: .boolean(false))],
        summary: "loads KMNIST: the path, else $KMS_DATA, else the fetch cache, else the shipped sample",
        example: "data = kmnist()"
      ) { arguments in
        let path: String? = if case .string(let text) = arguments["path"] { text } else { nil }
        let useSample = try arguments.boolean("sample")
        let splits = try libraryCall(arguments) {
          try DataCatalog.load(named: useSample ? "kmnist-sample" : "kmnist", path: path)
        }
        if let notice = splits.notice {
          arguments.write("note: \(notice)\n")
          arguments.interpreter.shownNotes.insert(notice)
        }
        return .host(SplitsObject(splits))
      })
    register(
      Builtin(
        "fashion_mnist", returns: .host("data"), parameters: [],
        summary: "loads Debian's Fashion-MNIST (60k/10k, same format) for full-size speed runs",
        example: "fashion = fashion_mnist()"
      ) { arguments in
        .host(SplitsObject(try libraryCall(arguments) { try DataCatalog.load(named: "fashion-mnist") }))
      })
    register(
      Builtin(
        "fetch_kmnist",
        parameters: [.optional("folder", .optional(.string), default: .none)],
        summary: "downloads the four official KMNIST files and checks their md5 (needs internet)",
        example: "fetch_kmnist()"
      ) { arguments in
        let folder: String = if case .string(let text) = arguments["folder"] { text } else { DataLocator.cacheFolder() }
        let fetched = try libraryCall(arguments) {
          try KMNIST.fetch(to: folder, log: { arguments.write($0 + "\n") })
        }
        return .number(Double(fetched.count))
      })
    register(
      Builtin(
        "resplit", returns: .host("data"),
        parameters: [.required("dataset", .host("dataset")),
                     .keyword("train", .number, default: .number(0.7)),
                     .keyword("validation", .number, default: .number(0.1)),
                     .keyword("test", .number, default: .number(0.2)),
                     .keyword("seed", .integer, default: .number(Double(KMNIST.splitSeed)))],
        summary: "splits a dataset into train/validation/test, stratified, by fractions or counts",
        example: "parts = resplit(data.test, train: 7000, validation: 1000, test: 2000)"
      ) { arguments in
        try resplit(try arguments.host("dataset", as: DatasetObject.self).dataset, arguments)
      })
  }
}
