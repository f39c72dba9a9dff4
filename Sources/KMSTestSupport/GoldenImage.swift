import Foundation
import KMSPlot
import Testing

/// How two images differ, pixel by pixel.
public struct ImageDifference: Sendable {
  /// Width and height of the compared images, or nil when their sizes differ.
  public var size: (width: Int, height: Int)?
  /// Pixels where some channel differs by more than the tolerance.
  public var mismatchedPixels: Int
  /// The largest channel difference seen, 0...255.
  public var maxChannelDifference: Int
  /// A picture of the difference: the expected image faded, mismatched pixels in red.
  public var diffImage: Canvas?

  /// True when sizes agree and no pixel is beyond the tolerance (or at most `allowedPixels`).
  /// - Parameter allowedPixels: mismatching pixels still accepted.
  public func matches(allowedPixels: Int = 0) -> Bool {
    size != nil && mismatchedPixels <= allowedPixels
  }
}

/// Compares two canvases by decoded pixels (never by PNG bytes, olive.c `test.c`).
/// - Parameters:
///   - actual: the rendered image.
///   - expected: the reference image.
///   - tolerance: the largest per-channel difference that still counts as equal.
public func compareImages(_ actual: Canvas, _ expected: Canvas, tolerance: Int = 8)
  -> ImageDifference
{
  guard actual.width == expected.width, actual.height == expected.height else {
    return ImageDifference(
      size: nil, mismatchedPixels: Int.max, maxChannelDifference: 255,
      diffImage: nil)
  }
  let a = actual.rgbaBytes, e = expected.rgbaBytes
  let diff = Canvas(width: expected.width, height: expected.height)
  var mismatched = 0, worst = 0
  for y in 0..<expected.height {
    for x in 0..<expected.width {
      let i = (y * expected.width + x) * 4
      var largest = 0
      for c in 0..<4 { largest = max(largest, abs(Int(a[i + c]) - Int(e[i + c]))) }
      worst = max(worst, largest)
      if largest > tolerance {
        mismatched += 1
        diff.setPixel(x: x, y: y, to: Color(r: 255, g: 0, b: 0))
      } else {
        // Expected image faded toward white, so the red stands out.
        let grey = UInt8(191 + Int(Color(r: e[i], g: e[i + 1], b: e[i + 2]).luminance * 64))
        diff.setPixel(x: x, y: y, to: Color(r: grey, g: grey, b: grey))
      }
    }
  }
  return ImageDifference(
    size: (expected.width, expected.height), mismatchedPixels: mismatched,
    maxChannelDifference: worst, diffImage: diff)
}

/// Golden-image checks for a test target whose goldens are copied into its bundle
/// (`resources: [.copy("Goldens")]`). Set `KMS_UPDATE_GOLDENS=1` (as `scripts/update-goldens.sh`
/// does) to rewrite the goldens in the source tree instead of comparing.
public struct GoldenImages: Sendable {
  /// The environment variable that switches to updating goldens.
  public static let updateVariable = "KMS_UPDATE_GOLDENS"
  /// The folder, inside the bundle, holding the golden PNGs.
  public let bundleURL: URL?
  /// The `Goldens` folder in the source tree, written when updating.
  public let sourceFolder: String

  /// Creates the checker.
  /// - Parameters:
  ///   - bundle: the test target's `Bundle.module`.
  ///   - sourceFolder: the `Goldens` folder in the source tree (derive it from `#filePath`).
  public init(bundle: Bundle, sourceFolder: String) {
    self.bundleURL = bundle.url(forResource: "Goldens", withExtension: nil)
    self.sourceFolder = sourceFolder
  }

  /// True when this run should rewrite goldens rather than compare.
  public static var isUpdating: Bool {
    ProcessInfo.processInfo.environment[updateVariable] == "1"
  }

  /// Where actual and diff images of failed comparisons go: `$TMPDIR/kms-golden-failures`.
  public static var failureFolder: String {
    FileManager.default.temporaryDirectory.appendingPathComponent("kms-golden-failures").path
  }

  /// Expects `canvas` to match the golden `name.png`, channel by channel within `tolerance`,
  /// allowing `allowedPixels` stray pixels. On a mismatch writes `name.actual.png` and
  /// `name.diff.png` to `failureFolder` and names them in the failure.
  /// - Parameters:
  ///   - canvas: the rendered image.
  ///   - name: the golden's file name without `.png`.
  ///   - tolerance: the largest per-channel difference that counts as equal.
  ///   - allowedPixels: how many pixels may differ beyond the tolerance.
  ///   - sourceLocation: the caller's location, for the failure.
  public func expectMatch(
    _ canvas: Canvas, named name: String, tolerance: Int = 8,
    allowedPixels: Int = 16,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    if Self.isUpdating {
      do {
        try FileManager.default.createDirectory(
          atPath: sourceFolder, withIntermediateDirectories: true)
        try canvas.writePNG(to: sourceFolder + "/" + name + ".png")
        print("updated golden \(sourceFolder)/\(name).png")
      } catch {
        Issue.record(
          Comment(rawValue: "cannot update golden '\(name)': \(error)"),
          sourceLocation: sourceLocation)
      }
      return
    }
    guard let folder = bundleURL else {
      Issue.record(
        Comment(
          rawValue: "no Goldens folder in the test bundle\n"
            + "HINT: declare resources: [.copy(\"Goldens\")]"), sourceLocation: sourceLocation)
      return
    }
    let goldenPath = folder.appendingPathComponent(name + ".png").path
    let expected: Canvas
    do {
      expected = try Canvas.readPNG(from: goldenPath)
    } catch {
      let message =
        "golden '\(name).png' is missing or unreadable: \(error)\n"
        + "HINT: run scripts/update-goldens.sh to create it, then look at it"
      Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
      return
    }
    let difference = compareImages(canvas, expected, tolerance: tolerance)
    guard !difference.matches(allowedPixels: allowedPixels) else { return }
    let failures = Self.failureFolder
    let actualPath = failures + "/" + name + ".actual.png"
    let diffPath = failures + "/" + name + ".diff.png"
    try? FileManager.default.createDirectory(atPath: failures, withIntermediateDirectories: true)
    try? canvas.writePNG(to: actualPath)
    if let diff = difference.diffImage { try? diff.writePNG(to: diffPath) }
    let what =
      difference.size == nil
      ? "size \(canvas.width)×\(canvas.height) differs from the golden's \(expected.width)×\(expected.height)"
      : "\(difference.mismatchedPixels) pixels differ by more than \(tolerance) "
        + "(max channel difference \(difference.maxChannelDifference))"
    print(
      "golden mismatch '\(name)': actual \(actualPath)"
        + (difference.diffImage == nil ? "" : ", diff \(diffPath)"))
    Issue.record(
      Comment(
        rawValue: "'\(name)' does not match its golden: \(what)\n"
          + "actual: \(actualPath)\n" + (difference.diffImage == nil ? "" : "diff: \(diffPath)\n")
          + "HINT: if the change is intended, run scripts/update-goldens.sh and look at the new goldens"
      ),
      sourceLocation: sourceLocation)
  }
}
