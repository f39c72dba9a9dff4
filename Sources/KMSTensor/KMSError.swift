/// What every kms library error offers the layers above it: one line saying what went wrong, and
/// what to try. The language turns any `KMSError` into a located kms error with one adapter
/// (`libraryCall` in KMSLang), so no binding rewrites a library's errors by hand.
public protocol KMSError: Error, CustomStringConvertible {
  /// The whole first line a user sees, lowercase, naming what was expected and what was found
  /// (with the file first when a file is concerned: `sae.kmsmodel: no such model file`).
  var headline: String { get }
  /// What to try, or nil.
  var hint: String? { get }
}

extension KMSError {
  /// The headline, then `hint: …` on its own line when there is one.
  public var description: String { headline + (hint.map { "\nhint: \($0)" } ?? "") }
}
