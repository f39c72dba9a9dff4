import Foundation
import KMSPlot
import Testing

@Suite("Terminal images")
struct TerminalImageTests {
  @Test(
    "detection follows what the terminal advertises",
    arguments: [
      (["TERM": "xterm-kitty"], TerminalImageProtocol.kitty),
      (["TERM": "xterm-256color", "KITTY_WINDOW_ID": "1"], .kitty),
      (["TERM": "xterm-ghostty"], .kitty),
      (["TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"], .iterm2),
      (["TERM": "xterm-256color", "LC_TERMINAL": "iTerm2"], .iterm2),
      (["TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"], .iterm2),
      (["TERM": "xterm-sixel"], .sixel),
      (["TERM": "xterm-256color", "KMS_IMAGE_PROTOCOL": "sixel"], .sixel),
    ])
  func detects(environment: [String: String], expected: TerminalImageProtocol) {
    #expect(TerminalImage.detectProtocol(environment: environment) == expected)
  }

  @Test(
    "nothing is chosen without a clear sign",
    arguments: [
      [String: String](), ["TERM": "xterm-256color"], ["TERM": "dumb"],
      ["TERM": "xterm-kitty", "TMUX": "/tmp/tmux-0/default,1,0"], ["TERM": "screen-256color"],
      ["TERM": "xterm-kitty", "KMS_IMAGE_PROTOCOL": "none"],
    ])
  func declines(environment: [String: String]) throws {
    #expect(TerminalImage.detectProtocol(environment: environment) == nil)
    let figure = try TrainingCurves(train: [1, 0.5])
    #expect(try TerminalImage.escapeSequence(for: figure, environment: environment) == nil)
  }

  @Test("kitty sends the PNG in base64 chunks of at most 4096 bytes, the last with m=0")
  func kitty() throws {
    let canvas = try ConfusionMatrixPlot(counts: SampleData.confusionCounts()).render()
    let sequence = try TerminalImage.escapeSequence(for: canvas, using: .kitty)
    let chunks = sequence.split(separator: "\u{1B}\\").filter { $0.hasPrefix("\u{1B}_G") }
    #expect(chunks.count > 1)
    #expect(chunks.first!.hasPrefix("\u{1B}_Ga=T,f=100,q=2,m=1;"))
    #expect(chunks.last!.hasPrefix("\u{1B}_Gm=0;"))
    for chunk in chunks {
      let payload = chunk.split(separator: ";", maxSplits: 1)[1]
      #expect(payload.utf8.count <= 4096)
    }
    let base64 = chunks.map { String($0.split(separator: ";", maxSplits: 1)[1]) }.joined()
    let png = [UInt8](Data(base64Encoded: base64)!)
    #expect(try Canvas.decodePNG(png).rgbaBytes == canvas.rgbaBytes)
  }

  @Test("iTerm2 gets one OSC 1337 inline file with its size")
  func iterm2() throws {
    let canvas = Canvas(width: 10, height: 6)
    let sequence = try TerminalImage.escapeSequence(for: canvas, using: .iterm2)
    let png = try canvas.pngData(favoringSpeed: true)
    #expect(
      sequence.hasPrefix("\u{1B}]1337;File=inline=1;size=\(png.count);width=10px;height=6px;"))
    #expect(sequence.hasSuffix("\u{07}\n"))
  }

  @Test("sixel has a raster header, a palette, one band per six rows, and a terminator")
  func sixel() throws {
    let canvas = Canvas(width: 8, height: 13)
    canvas.fill(Rect(x: 0, y: 0, width: 4, height: 13), with: .black)
    let sequence = try TerminalImage.escapeSequence(for: canvas, using: .sixel)
    #expect(sequence.hasPrefix("\u{1B}P0;1;0q\"1;1;8;13#0;2;0;0;0"))
    #expect(sequence.hasSuffix("\u{1B}\\\n"))
    let body = sequence.split(separator: "#215;2;100;100;100")[1]
    #expect(body.filter { $0 == "-" }.count == 3)
    // First band: black (#0) fills columns 0–3 with all six rows: '~' (63 + 63) four times.
    #expect(body.hasPrefix("#0!4~!4?$#215!4?!4~-"))
  }

  @Test("without a protocol, show writes a temporary PNG and returns its path")
  func temporaryFallback() throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("kms-show-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let figure = try TrainingCurves(train: [1, 0.5, 0.25])
    let path = try TerminalImage.writeTemporaryPNG(figure, in: folder)
    #expect(path.hasPrefix(folder + "/figure-") && path.hasSuffix(".png"))
    #expect(try Canvas.readPNGInfo(from: path).width == 640)
    #expect(throws: PlotError.self) {
      try TerminalImage.writeTemporaryPNG(figure, in: "/proc/kms-cannot-exist")
    }
  }
}
