import Foundation

// The executed notebook as one self-contained HTML page: styles inline, figures as base64 PNG
// data URIs, no script, so it opens offline, mails as one file and prints (cells never split
// across pages, figures shrink to the page's width).

extension Notebook {
  /// The report page.
  public func html() -> String {
    var body: [String] = []
    let total = cells.compactMap(\.seconds).reduce(0, +)
    let failed = cells.contains(where: \.failed)
    body.append("<header><h1>\(escape(title))</h1>")
    body.append(
      "<p class=\"meta\">executed by kms \(escape(kmsVersion)) on \(escape(Notebook.timestamp())), "
        + String(format: "%.1f s", total)
        + (failed ? ", <span class=\"bad\">stopped by an error</span>" : "") + "</p></header>")
    for cell in cells {
      switch cell.kind {
      case .markdown: body.append("<section class=\"prose\">\(markdownHTML(cell.source))</section>")
      case .code: body.append(codeCellHTML(cell))
      }
    }
    return """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <meta name="generator" content="kms \(escape(kmsVersion))">
      <title>\(escape(title))</title>
      <style>\(Notebook.style)</style>
      </head>
      <body>
      <main>
      \(body.joined(separator: "\n"))
      </main>
      </body>
      </html>

      """
  }

  private func codeCellHTML(_ cell: NotebookCell) -> String {
    let number = cell.executionCount.map { "[\($0)]" } ?? "[ ]"
    let time =
      cell.seconds.map { String(format: "%.2f s", $0) } ?? (cell.outputs.isEmpty ? "not run" : "")
    var parts = [
      "<section class=\"cell\(cell.failed ? " failed" : "")\(cell.didRun ? "" : " skipped")\">",
      "<div class=\"in\"><span class=\"count\">\(number)</span><span class=\"time\">\(time)</span></div>",
      "<pre class=\"source\"><code>\(highlight(cell.source))</code></pre>",
    ]
    for output in cell.outputs {
      switch output {
      case .text(let text):
        parts.append("<pre class=\"out\">\(escape(text))</pre>")
      case .image(let png, let width, let height):
        parts.append(
          "<figure><img alt=\"figure \(width)×\(height)\" width=\"\(width)\" height=\"\(height)\" "
            + "src=\"data:image/png;base64,\(Data(png).base64EncodedString())\"></figure>")
      case .error(_, let rendered):
        parts.append("<pre class=\"error\">\(escape(rendered))</pre>")
      }
    }
    parts.append("</section>")
    return parts.joined(separator: "\n")
  }

  /// The few markdown forms a `## ` comment block uses: the heading, paragraphs, `code`.
  private func markdownHTML(_ text: String) -> String {
    var html: [String] = []
    var paragraph: [String] = []
    func flush() {
      if !paragraph.isEmpty { html.append("<p>" + inline(paragraph.joined(separator: " ")) + "</p>") }
      paragraph.removeAll()
    }
    for line in text.components(separatedBy: "\n") {
      if line.hasPrefix("## ") {
        flush()
        html.append("<h2>" + inline(String(line.dropFirst(3))) + "</h2>")
      } else if line.trimmingCharacters(in: .whitespaces).isEmpty {
        flush()
      } else {
        paragraph.append(line)
      }
    }
    flush()
    return html.joined(separator: "\n")
  }

  private func inline(_ text: String) -> String {
    // `code` spans; everything else escaped.
    let pieces = text.components(separatedBy: "`")
    return pieces.enumerated().map { index, piece in
      index % 2 == 1 && index < pieces.count - 1 ? "<code>\(escape(piece))</code>" : escape(piece)
    }.joined()
  }

  /// kms source as HTML with spans for comments, strings, numbers, keywords and calls.
  func highlight(_ source: String) -> String {
    let keywords = Set(Keyword.allCases.map(\.rawValue))
    let characters = Array(source)
    var html = ""
    var i = 0
    func span(_ kind: String, _ range: Range<Int>) {
      html += "<span class=\"\(kind)\">" + escape(String(characters[range])) + "</span>"
    }
    while i < characters.count {
      let c = characters[i]
      if c == "#" {
        var j = i
        while j < characters.count, characters[j] != "\n" { j += 1 }
        span("c", i..<j)
        i = j
      } else if c == "\"" {
        var j = i + 1
        while j < characters.count, characters[j] != "\"", characters[j] != "\n" {
          j += characters[j] == "\\" ? 2 : 1
        }
        j = min(j + 1, characters.count)
        span("s", i..<j)
        i = j
      } else if c.isNumber {
        var j = i
        while j < characters.count,
          characters[j].isNumber || characters[j] == "." || characters[j] == "e"
            || (characters[j] == "-" && characters[j - 1] == "e")
        {
          j += 1
        }
        span("n", i..<j)
        i = j
      } else if c.isLetter || c == "_" {
        var j = i
        while j < characters.count, characters[j].isLetter || characters[j].isNumber || characters[j] == "_" {
          j += 1
        }
        let word = String(characters[i..<j])
        if keywords.contains(word) {
          span("k", i..<j)
        } else if j < characters.count, characters[j] == "(" {
          span("f", i..<j)
        } else {
          html += escape(word)
        }
        i = j
      } else {
        html += escape(String(c))
        i += 1
      }
    }
    return html
  }

  private func escape(_ text: String) -> String {
    var result = ""
    for c in text {
      switch c {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      default: result.append(c)
      }
    }
    return result
  }

  static func timestamp() -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    return formatter.string(from: Date())
  }

  /// matplotlib-plain: white page, one readable column, grey code boxes.
  static let style = """
    body{margin:0;background:#fff;color:#222;font:15px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif}
    main{max-width:980px;margin:0 auto;padding:24px}
    h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 6px}
    .meta{color:#666;margin:0 0 20px}.bad{color:#b00020}
    .prose p{margin:6px 0}
    .cell{border-left:3px solid #d0d7de;margin:14px 0;padding:0 0 0 12px;break-inside:avoid}
    .cell.failed{border-left-color:#b00020}.cell.skipped{opacity:.55}
    .in{display:flex;justify-content:space-between;color:#888;font:12px monospace}
    pre{margin:4px 0;padding:8px 10px;overflow-x:auto;font:13px/1.4 Menlo,Consolas,"DejaVu Sans Mono",monospace;white-space:pre-wrap}
    pre.source{background:#f6f8fa;border-radius:4px}
    pre.out{background:#fff}
    pre.error{background:#fff0f0;color:#b00020;border-radius:4px}
    figure{margin:6px 0}img{max-width:100%;height:auto}
    code{font-family:Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:90%}
    .c{color:#6a737d;font-style:italic}.s{color:#0a7d32}.n{color:#1f4fbf}.k{color:#a626a4;font-weight:600}.f{color:#986801}
    @media print{main{max-width:none;padding:0}pre{white-space:pre-wrap}.cell{page-break-inside:avoid}}
    """
}
