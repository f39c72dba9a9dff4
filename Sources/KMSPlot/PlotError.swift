import KMSTensor

/// What went wrong when building, rendering or writing a figure. Every case names the thing and
/// what was expected; `hint` suggests a fix.
public enum PlotError: KMSError, Equatable {
  /// A required list was empty, e.g. no images or an empty training history.
  case emptyInput(what: String)
  /// A value was NaN or infinite where a finite number is needed.
  case nonFiniteValue(what: String, index: Int)
  /// Two lists that must match in length do not.
  case mismatchedCounts(what: String, expected: Int, actual: Int)
  /// Latent codes with fewer than two dimensions cannot be drawn as a 2-D scatter.
  case codeDimensionTooSmall(dimension: Int)
  /// A class-labelled figure was given zero classes.
  case noClasses
  /// A class label lies outside `0..<classCount`.
  case labelOutOfRange(what: String, label: Int, index: Int, classCount: Int)
  /// Any other argument outside its allowed range.
  case invalidArgument(name: String, expected: String, actual: String)
  /// A PNG (or SVG) could not be written at `path`; nothing was left behind there.
  case unwritablePath(path: String, reason: String)
  /// libpng refused to encode the image.
  case encodingFailed(reason: String)
  /// A PNG could not be read or decoded.
  case unreadablePNG(path: String, reason: String)

  /// The one-line message, lowercase, without a final period.
  public var message: String {
    switch self {
    case .emptyInput(let what):
      return "\(what) is empty (at least one value expected)"
    case .nonFiniteValue(let what, let index):
      return "\(what) has a non-finite value (NaN or infinity) at index \(index)"
    case .mismatchedCounts(let what, let expected, let actual):
      return "\(what): expected \(expected), got \(actual)"
    case .codeDimensionTooSmall(let dimension):
      return
        "latent codes have \(dimension) dimension\(dimension == 1 ? "" : "s") (2 or more expected)"
    case .noClasses:
      return "no classes given (at least one class expected)"
    case .labelOutOfRange(let what, let label, let index, let classCount):
      return "\(what) has label \(label) at index \(index) (0..<\(classCount) expected)"
    case .invalidArgument(let name, let expected, let actual):
      return "bad \(name) (\(expected) expected, got \(actual))"
    case .unwritablePath(let path, let reason):
      let format = path.lowercased().hasSuffix(".svg") ? "SVG" : "PNG"
      return "cannot write \(format) '\(path)': \(reason)"
    case .encodingFailed(let reason):
      return "cannot encode PNG: \(reason)"
    case .unreadablePNG(let path, let reason):
      return "cannot read PNG '\(path)': \(reason)"
    }
  }

  /// A suggestion for fixing the problem.
  public var hint: String? {
    switch self {
    case .emptyInput:
      return "pass at least one item; a history fills as training runs one epoch"
    case .nonFiniteValue:
      return "check the model for divergence (a NaN loss) or filter the values first"
    case .mismatchedCounts:
      return "give one entry per item, e.g. one label per code"
    case .codeDimensionTooSmall:
      return "use an encoder with a latent size of 2 or more, or plot the 1-D code as a histogram"
    case .noClasses:
      return "pass the class names, e.g. the ten KMNIST names"
    case .labelOutOfRange:
      return "labels count from 0; pass one class name per label value"
    case .invalidArgument:
      return "see the figure's documentation for allowed values"
    case .unwritablePath:
      return "check that the folder exists and is writable"
    case .encodingFailed:
      return "the canvas may be too large for PNG; try a smaller figure"
    case .unreadablePNG:
      return "check that the file exists and is a PNG"
    }
  }

  /// The message (the hint follows it in `description`).
  public var headline: String { message }
}
