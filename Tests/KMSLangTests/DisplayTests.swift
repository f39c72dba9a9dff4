import Foundation
import KMSPlot
import Testing

@testable import KMSLang

/// The interpreter's one display sink: text and figures reach it in order, so a notebook writer
/// or a test can capture a cell's output without touching standard output.
@Suite("Display sink")
struct DisplayTests {
  @Test("printed text, a summary and a shown figure arrive in order at the display")
  func capturesInOrder() throws {
    let display = RecordingDisplay()
    let interpreter = Interpreter(display: display)
    let source = """
      print("before")
      m = classifier(20, hidden: [4])
      m.summary()
      show(scatter([[0, 0], [1, 1], [2, 0.5]]))
      print("after")
      """
    guard case .success = interpreter.run(SourceFile(name: "cell.kms", text: source)) else {
      Issue.record("the cell failed")
      return
    }
    #expect(display.items.count == 3)
    guard display.items.count == 3, case .text(let first) = display.items[0],
      case .figure(let figure, let scale) = display.items[1], case .text(let last) = display.items[2]
    else {
      Issue.record("expected text, figure, text; got \(display.items)")
      return
    }
    #expect(first.hasPrefix("before\nclassifier 20-4-10\n"))
    #expect(first.contains("Total params: 134"))
    #expect(figure.preferredSize.width > 0 && scale == 1)
    #expect(last == "after\n")
    display.removeAll()
    #expect(display.items.isEmpty && display.text.isEmpty)
  }

  @Test("a text display prints a shown figure's temporary PNG path")
  func textDisplayWritesPath() throws {
    var output = ""
    let interpreter = Interpreter { output += $0 }
    _ = interpreter.run(SourceFile(name: "cell.kms", text: "show(scatter([[0, 0], [1, 1]]))"))
    #expect(output.hasPrefix("figure written to "))
    let path = output.dropFirst("figure written to ".count).trimmingCharacters(in: .newlines)
    #expect(FileManager.default.fileExists(atPath: path))
    try? FileManager.default.removeItem(atPath: path)
  }
}
