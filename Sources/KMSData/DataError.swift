import KMSTensor

/// A problem with a data file or folder: missing, unreadable, corrupt, the wrong kind, or a failed
/// download. Each error names the file and the problem, and carries a hint for what to do.
///
/// Printed as llm.c's `fopen_check` prints (path, problem, then a HINT line):
/// ```
/// t10k-images-idx3-ubyte.gz: truncated: header promises 10,000 images of 28×28 = 7,840,000
/// bytes, but the data ends after 5,000 bytes
/// hint: the file is incomplete; download it again (scripts/fetch-kmnist.sh)
/// ```
public struct DataError: KMSError, Equatable, Sendable {
  /// What went wrong, for callers that react differently to different problems.
  public enum Kind: String, Equatable, Sendable {
    /// The file or folder does not exist.
    case notFound = "not found"
    /// The file exists but could not be read or written (permissions, I/O error).
    case ioFailure = "i/o failure"
    /// The bytes do not start with the expected format signature.
    case wrongMagic = "wrong magic"
    /// A valid file of a different kind than asked for (labels where images were expected).
    case wrongKind = "wrong kind"
    /// The header holds impossible or unsupported dimensions.
    case badHeader = "bad header"
    /// The data ends before the header says it should.
    case truncated
    /// There are more bytes than the header accounts for.
    case trailingData = "trailing data"
    /// The compressed stream or archive structure is damaged (bad deflate data, CRC mismatch).
    case corrupt
    /// A valid file using a feature this reader does not handle (another dtype, Fortran order).
    case unsupported
    /// Two files that must agree do not (image and label counts, label out of class range).
    case mismatch
    /// A downloaded or cached file's MD5 differs from the official one.
    case checksumMismatch = "checksum mismatch"
    /// A download failed (offline, unreachable, HTTP error).
    case downloadFailed = "download failed"
    /// A subset or split that the dataset cannot satisfy (more per class than a class has).
    case invalidRequest = "invalid request"
    /// A dataset name or folder the loader does not know.
    case unknownDataset = "unknown dataset"
  }

  /// The kind of problem.
  public let kind: Kind
  /// The file or folder concerned.
  public let path: String
  /// What is wrong, lowercase, naming what was expected and what was found.
  public let message: String
  /// What the user can do about it.
  public let hint: String?

  /// Creates an error.
  /// - Parameters:
  ///   - kind: the kind of problem.
  ///   - path: the file or folder concerned.
  ///   - message: what is wrong (lowercase, no final period).
  ///   - hint: what to do about it, if there is something to say.
  public init(_ kind: Kind, path: String, _ message: String, hint: String? = nil) {
    self.kind = kind
    self.path = path
    self.message = message
    self.hint = hint
  }

  /// `path: kind: message`; `description` adds the hint on its own line.
  public var headline: String { "\(path): \(kind.rawValue): \(message)" }
}

/// The hint given for any damaged official file.
let redownloadHint =
  "the file is damaged or incomplete; download it again (scripts/fetch-kmnist.sh) and check its md5"
