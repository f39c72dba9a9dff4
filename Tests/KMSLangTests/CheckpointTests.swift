import Foundation
import Testing

@testable import KMSLang

/// Checkpoints from the language: written during `fit`, resumed with `resume`, surviving a
/// SIGKILL at any moment, refused clearly when damaged.
@Suite("Checkpoints")
struct CheckpointTests {
  static func folder() throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kms-ckpt-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder
  }

  /// A small run with early stopping, so the fit's state matters: losses printed one per line.
  static func script(_ body: String) -> String {
    """
    data = kmnist(sample: true)
    parts = data.train.subset(per_class: 12).resplit(train: 0.6, validation: 0.3, test: 0.1)
    \(body)
    for x in t.history.loss { print(x) }
    for x in t.history.val_loss { print(x) }
    print(t.history.best_epoch)
    """
  }
  static let make = """
    ae = autoencoder([48, 8], seed: 3)
    t = trainer(ae, parts.train, validation: parts.validation, lr: 0.003, batch: 16, seed: 5)
    """
  static let fit = "h = t.fit(8, early_stop: true, patience: 3, delta: 0.0001, verbose: false, checkpoint: CKPT)"

  /// Runs kms source in-process; returns its output or fails the test.
  static func run(_ source: String) -> String { runProgram(source, name: "ckpt.kms").output }

  @Test("a training process killed with SIGKILL leaves a checkpoint that resumes to the uninterrupted history")
  func killedMidRun() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path = folder + "/run.kmsckpt"
    let fitLine = "h = t.fit(8, early_stop: true, patience: 3, delta: 0.0001, verbose: false, checkpoint: \"\(path)\")"
    let uninterrupted = try runKMS(["-e", Self.script(Self.make + "\n" + fitLine.replacingOccurrences(of: path, with: path + ".full"))])
    #expect(uninterrupted.status == 0, "\(uninterrupted.errors)")

    let process = Process()
    process.executableURL = try kmsExecutable()
    process.arguments = ["-e", Self.script(Self.make + "\n" + fitLine)]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    // Kill it while it writes a checkpoint when that can be seen (its temporary file exists),
    // else as soon as one checkpoint is complete.
    let temporary = folder + "/.run.kmsckpt.\(process.processIdentifier).tmp"
    let deadline = Date().addingTimeInterval(120)
    while process.isRunning && Date() < deadline {
      if FileManager.default.fileExists(atPath: temporary) && FileManager.default.fileExists(atPath: path) { break }
      if FileManager.default.fileExists(atPath: path) { Thread.sleep(forTimeInterval: 0.01); break }
      Thread.sleep(forTimeInterval: 0.002)
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    #expect(FileManager.default.fileExists(atPath: path))
    let resumed = try runKMS(["-e", Self.script("""
      t = resume("\(path)", parts.train, validation: parts.validation)
      h = t.fit(8, early_stop: true, patience: 3, delta: 0.0001, verbose: false)
      """)])
    #expect(resumed.status == 0, "\(resumed.errors)")
    func lines(_ text: String) -> [Substring] {
      text.split(separator: "\n").filter { !$0.hasPrefix("note:") && !$0.hasPrefix("resum") }
    }
    #expect(lines(resumed.output) == lines(uninterrupted.output))
    #expect(lines(uninterrupted.output).count >= 7)
  }

  @Test("damaged, truncated and foreign checkpoints are refused, each with its own message")
  func damagedFiles() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path = folder + "/run.kmsckpt"
    _ = Self.run(Self.script(Self.make + "\n" + Self.fit.replacingOccurrences(of: "CKPT", with: "\"\(path)\"")))
    let good = try Data(contentsOf: URL(fileURLWithPath: path))
    func message(_ bytes: Data, _ source: String = "resume(P, parts.train)") -> String {
      try? bytes.write(to: URL(fileURLWithPath: path + ".bad"))
      var output = ""
      let interpreter = Interpreter { output += $0 }
      let text = "data = kmnist(sample: true)\nparts = data.train.subset(per_class: 12).resplit(train: 0.6, validation: 0.3, test: 0.1)\n"
        + source.replacingOccurrences(of: "P", with: "\"\(path).bad\"")
      guard case .failure(.runtime(let error)) = interpreter.run(SourceFile(name: "x.kms", text: text)) else {
        return "no error"
      }
      return error.message
    }
    var flipped = good
    flipped[good.count - 5] ^= 0x40  // a weight byte
    #expect(message(flipped).contains("fails its checksum"))
    #expect(message(flipped).contains("tensor '"))
    #expect(message(good.prefix(good.count / 2)).contains("is truncated"))
    var header = good
    header[40] ^= 0x01
    #expect(message(header).contains("header fails its checksum"))
    #expect(message(Data("KMSMODEL rest".utf8)).contains("model file, not a training checkpoint"))
    #expect(message(Data("hello".utf8)).contains("not a kms checkpoint"))
    #expect(message(good, "load(P)").contains("training checkpoint, not a model file"))
  }
}
