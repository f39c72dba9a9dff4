import Foundation
import KMSLang
import Testing

/// The repository's samples folder (this file is Tests/KMSLangTests/SampleScriptTests.swift).
let samplesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples")

/// Runs a sample script with the built kms, without `KMS_DATA` (so on the shipped sample), and
/// returns its exit status and everything it printed.
/// - Parameters:
///   - name: the script in samples/.
///   - arguments: the script's arguments.
///   - folder: the working folder, or nil for this process's.
func runSample(_ name: String, arguments: [String] = [], in folder: URL? = nil) throws
  -> (status: Int32, text: String)
{
  let process = Process()
  process.executableURL = try kmsExecutable()
  process.arguments = [samplesFolder.appendingPathComponent(name).path] + arguments
  if let folder { process.currentDirectoryURL = folder }
  var environment = ProcessInfo.processInfo.environment
  environment["NO_COLOR"] = "1"
  environment.removeValue(forKey: "KMS_DATA")
  process.environment = environment
  let output = Pipe()
  process.standardOutput = output
  process.standardError = output
  try process.run()
  let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  process.waitUntilExit()
  return (process.terminationStatus, text)
}

@Suite("Sample scripts")
struct SampleScriptTests {
  @Test("samples/quickstart.kms trains, evaluates, saves and reloads a model")
  func quickstart() throws {
    let folder = try temporaryFile("quickstart").deletingLastPathComponent()
    let (status, text) = try runSample("quickstart.kms", in: folder)
    #expect(status == 0, "\(text)")
    #expect(text.contains("using the shipped KMNIST sample"))
    #expect(text.contains("Total params: 435,536"))
    #expect(text.contains("confusion matrix (rows: true label, columns: predicted label)"))
    #expect(text.contains("reloaded model reconstructs identically: true"))
    let saved = folder.appendingPathComponent("quickstart-ae.kmsmodel").path
    #expect(FileManager.default.fileExists(atPath: saved))
    // The classifier on the codes must do far better than chance (10%) even on the sample.
    let accuracyLine = text.split(separator: "\n").first { $0.hasPrefix("accuracy ") }
    let accuracy = accuracyLine.flatMap { Double($0.split(separator: " ")[1]) } ?? 0
    #expect(accuracy > 0.5, "\(accuracyLine ?? "no accuracy line")")
  }

  @Test("samples/paper-a.kms resolves against the current builtins and uses the paper's settings")
  func paperAResolves() throws {
    // The full run takes ~17 s in release on kmnist-10k; here it only has to resolve.
    let path = samplesFolder.appendingPathComponent("paper-a.kms").path
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let compilation = Interpreter().compile(SourceFile(name: path, text: text))
    #expect(compilation.diagnostics.isEmpty, "\(compilation.diagnostics.map(\.shortDescription))")
    for setting in ["autoencoder([800, 400, 225])", "lr: 0.0008, batch: 164", "classifier(225, hidden: [200])",
                    "lr: 0.0006, batch: 140", "delta: 0.001, patience: 5"] {
      #expect(text.contains(setting), "paper-a.kms lacks \(setting)")
    }
  }
}
