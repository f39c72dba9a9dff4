import Foundation
import Testing

/// The repository's samples folder (this file is Tests/KMSLangTests/SampleScriptTests.swift).
let samplesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples")

@Suite("Sample scripts")
struct SampleScriptTests {
  @Test("samples/quickstart.kms trains, evaluates, saves and reloads a model")
  func quickstart() throws {
    let folder = try temporaryFile("quickstart").deletingLastPathComponent()
    let process = Process()
    process.executableURL = try kmsExecutable()
    process.arguments = [samplesFolder.appendingPathComponent("quickstart.kms").path]
    process.currentDirectoryURL = folder
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
    #expect(process.terminationStatus == 0, "\(text)")
    #expect(text.contains("using the shipped KMNIST sample"))
    #expect(text.contains("total parameters: 435,536"))
    #expect(text.contains("confusion matrix (rows: true label, columns: predicted label)"))
    #expect(text.contains("reloaded model reconstructs identically: true"))
    let saved = folder.appendingPathComponent("quickstart-ae.kmsmodel").path
    #expect(FileManager.default.fileExists(atPath: saved))
    // The classifier on the codes must do far better than chance (10%) even on the sample.
    let accuracyLine = text.split(separator: "\n").first { $0.hasPrefix("accuracy ") }
    let accuracy = accuracyLine.flatMap { Double($0.split(separator: " ")[1]) } ?? 0
    #expect(accuracy > 0.5, "\(accuracyLine ?? "no accuracy line")")
  }
}
