import Foundation
import Testing

/// Models and trainers that cannot fit under an address-space limit are refused with a located
/// error before anything is allocated (before, the allocator aborted kms, or OpenBLAS spun).
@Suite("Memory limits")
struct MemoryLimitTests {
  func runLimited(_ code: String) throws -> (status: Int32, errors: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "ulimit -v 4000000; exec \"$0\" -e \"$1\"", try kmsExecutable().path, code]
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = "1"
    process.environment = environment
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
  }

  @Test("a model that fits kms's parameter limit but not the memory left is an error, not an abort")
  func model() throws {
    let result = try runLimited("ae = autoencoder([60000, 1000])")
    #expect(result.status == 70, "\(result.errors)")
    #expect(result.errors.contains("error: not enough memory: a model of 214,201,784 parameters needs"))
  }

  @Test("a trainer whose moments and batch buffers do not fit is an error at the call")
  func trainer() throws {
    let result = try runLimited("""
      ae = autoencoder([20000, 1000])
      data = kmnist(sample: true)
      t = trainer(ae, data, batch: 30000)
      """)
    #expect(result.status == 70, "\(result.errors)")
    #expect(result.errors.contains("error: not enough memory: training autoencoder 784-20000-1000-20000-784 at batch 30,000"))
  }
}
