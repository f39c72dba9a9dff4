import Foundation

/// Whole files written so that a reader sees either the old file or the new one, never half of
/// one: the bytes go to a hidden temporary file beside the target, which is then renamed over it
/// (rename(2) is atomic within one file system). On any failure the temporary file is removed
/// and the target is untouched. Every layer that writes files (model files and checkpoints,
/// figures, datasets, tables, notebooks) writes through here and words the failure its own way.
///
/// NOTE: one writer instead of the three kms had (model files, figures, datasets) and
/// Foundation's `Data.write(options: .atomic)` elsewhere: every file gets the same guarantee and
/// every failure the system's own reason (`Failure.reason`), which Foundation's Cocoa errors
/// often reduce to "the file could not be written".
public enum AtomicFile {
  /// Why a write failed: the `errno` of the step that failed, with the paths involved.
  public struct Failure: Error, Sendable {
    /// The file that was to be written.
    public let path: String
    /// The folder it goes in.
    public let folder: String
    /// The `errno` of the failed step.
    public let code: Int32

    /// The system's reason, lower-cased as a clause, and for a missing folder which it is:
    /// "no such file or directory (folder '/x' does not exist)".
    public var reason: String {
      var text = String(cString: strerror(code))
      if let first = text.first { text = first.lowercased() + text.dropFirst() }
      guard code == ENOENT else { return text }
      // The folder may exist and still take no new files (/proc, /sys): say which it is.
      return text + (FileManager.default.fileExists(atPath: folder)
        ? " (the folder '\(folder)' does not take new files)"
        : " (folder '\(folder)' does not exist)")
    }
  }

  /// Writes `bytes` to `path` atomically.
  /// - Parameters:
  ///   - bytes: the file's contents.
  ///   - path: the destination; its folder must exist.
  ///   - durable: also fsync the file before the rename and the folder after it, so the new
  ///     file survives a crash of the machine (model files and checkpoints ask for this).
  /// - Throws: `Failure` with the failed step's `errno`.
  public static func write(_ bytes: some Collection<UInt8>, to path: String, durable: Bool = false)
    throws(Failure)
  {
    let temporary = temporarySibling(of: path)
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard descriptor >= 0 else { throw failure(errno, path) }
    let code: Int32? = bytes.withContiguousStorageIfAvailable { raw in
      writeAll(raw, to: descriptor, durable: durable)
    } ?? Array(bytes).withUnsafeBufferPointer { writeAll($0, to: descriptor, durable: durable) }
    if let code {
      close(descriptor)
      unlink(temporary)
      throw failure(code, path)
    }
    guard close(descriptor) == 0 else {
      let code = errno
      unlink(temporary)
      throw failure(code, path)
    }
    try moveIntoPlace(temporary, path)
    guard durable else { return }
    let folder = open(folderOf(path), O_RDONLY)
    if folder >= 0 {
      fsync(folder)
      close(folder)
    }
  }

  /// A hidden, unique name beside `path` (`folder/.name.partial-<pid>-<random>`), for a writer
  /// that fills the file itself (a download) before `moveIntoPlace`.
  public static func temporarySibling(of path: String) -> String {
    let name = URL(fileURLWithPath: path).lastPathComponent
    let unique = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    return folderOf(path) + "/." + name + ".partial-" + unique
  }

  /// Renames `temporary` over `path`; on failure the temporary file is removed.
  /// - Throws: `Failure` with rename(2)'s `errno`.
  public static func moveIntoPlace(_ temporary: String, _ path: String) throws(Failure) {
    guard rename(temporary, path) == 0 else {
      let code = errno
      unlink(temporary)
      throw failure(code, path)
    }
  }

  /// Writes every byte, retrying after signals; nil on success, else the `errno`.
  private static func writeAll(_ bytes: UnsafeBufferPointer<UInt8>, to descriptor: Int32,
                               durable: Bool) -> Int32? {
    var offset = 0
    while offset < bytes.count {
      let count = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
      if count < 0 {
        if errno == EINTR { continue }
        return errno
      }
      offset += count
    }
    if durable && fsync(descriptor) != 0 { return errno }
    return nil
  }

  private static func folderOf(_ path: String) -> String {
    URL(fileURLWithPath: path).deletingLastPathComponent().path
  }

  private static func failure(_ code: Int32, _ path: String) -> Failure {
    Failure(path: path, folder: folderOf(path), code: code)
  }
}
