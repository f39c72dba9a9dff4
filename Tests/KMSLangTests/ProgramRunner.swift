import Foundation
@testable import KMSLang
import Testing

/// Runs kms source in a fresh in-process interpreter, recording any compile or runtime failure as
/// a test issue (with what the program printed up to it).
/// - Returns: the interpreter, whose globals hold the program's values, and what it printed.
@discardableResult
func runProgram(_ source: String, name: String = "test.kms") -> (interpreter: Interpreter, output: String) {
  var output = ""
  let interpreter = Interpreter { output += $0 }
  if case .failure(let failure) = interpreter.run(SourceFile(name: name, text: source)) {
    Issue.record("\(name) failed: \(failure)\n\(output)")
  }
  return (interpreter, output)
}
