import Foundation
import KMSTensor
import KMSData

/// The sizes past which kms stops with an error instead of trapping or exhausting memory.
///
/// A REPL may hold an hour of training, so a list doubling in a loop or `"ab" * 1e12` must end
/// in a message, never in the allocator's abort. Two checks: fixed caps on one string's and one
/// list's size (far above what an experiment needs), and, for any allocation of
/// `budgetCheckBytes` or more, a look at the memory actually left (the address-space limit of
/// `ulimit -v` and the machine's available memory).
public enum Limits {
  /// The longest string, in UTF-8 bytes (100 MB).
  public static let maximumStringBytes = 100_000_000
  /// The most elements of one list (10 million; a 60,000-image dataset's labels are 60,000).
  public static let maximumListLength = 10_000_000
  /// The largest whole number kms holds exactly, 2^53: numbers are Doubles, and past it not
  /// every integer exists (2^53 + 1 reads as 2^53). `int()` and integer arguments stop here.
  public static let largestExactInteger: Double = 9_007_199_254_740_992
  /// Allocations at least this large are checked against the memory left (a read of two small
  /// /proc files, cheap next to making a megabyte).
  static let budgetCheckBytes = 64 << 10
  /// Memory kept free for the interpreter, the runtime and the libraries.
  static let headroomBytes = 64 << 20

  /// Fails unless a string of `bytes` UTF-8 bytes may be made.
  /// - Parameters:
  ///   - bytes: the size of the string to make.
  ///   - what: what makes it, e.g. `repeating a string 1e+08 times`.
  ///   - range: where, for the error.
  public static func checkString(
    bytes: Int, _ what: @autoclosure () -> String, at range: SourceRange
  ) throws(RuntimeError)
  {
    guard bytes > maximumStringBytes else {
      try checkMemory(bytes: bytes, what(), at: range)
      return
    }
    throw RuntimeError(
      "\(what()) would make a string of \(grouped(bytes)) bytes, over the limit of "
        + "\(grouped(maximumStringBytes))", at: range,
      help: "strings hold at most \(grouped(maximumStringBytes)) bytes")
  }

  /// Fails unless a list of `count` elements may be made.
  /// - Parameters:
  ///   - count: the length of the list to make.
  ///   - what: what makes it, e.g. `push`.
  ///   - range: where, for the error.
  public static func checkList(
    count: Int, _ what: @autoclosure () -> String, at range: SourceRange
  ) throws(RuntimeError)
  {
    guard count > maximumListLength else {
      try checkMemory(bytes: count &* MemoryLayout<Value>.stride, what(), at: range)
      return
    }
    throw RuntimeError(
      "\(what()) would make a list of \(grouped(count)) elements, over the limit of "
        + "\(grouped(maximumListLength))", at: range,
      help: "lists hold at most \(grouped(maximumListLength)) elements")
  }

  /// Fails when an allocation of `bytes` would not fit in the memory left to the process.
  /// Cheap below `budgetCheckBytes`, where it does nothing.
  /// - Parameters:
  ///   - bytes: the size of the allocation.
  ///   - what: what allocates it.
  ///   - range: where, for the error.
  public static func checkMemory(
    bytes: Int, _ what: @autoclosure () -> String, at range: SourceRange
  ) throws(RuntimeError)
  {
    guard bytes >= budgetCheckBytes, let available = availableBytes(),
      bytes > available - headroomBytes
    else { return }
    throw RuntimeError(
      "not enough memory: \(what()) needs \(megabytes(bytes)), and about \(megabytes(available)) "
        + "is left", at: range,
      help: "free some values (x = none) or work on smaller pieces")
  }

  /// The bytes the process may still allocate: the smaller of the room left under its
  /// address-space limit and the machine's available memory; nil when neither is known.
  static func availableBytes() -> Int? {
    var candidates: [Int] = []
    #if canImport(Glibc)
      var limit = rlimit()
      if getrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max,
        let used = virtualSize()
      {
        candidates.append(max(Int(clamping: limit.rlim_cur) - used, 0))
      }
    #endif
    if let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
      let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
      let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
    {
      candidates.append(kilobytes * 1024)
    }
    return candidates.min()
  }

  /// The process's virtual size in bytes (`/proc/self/statm`, first field, in pages).
  private static func virtualSize() -> Int? {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
      let pages = Int(statm.split(separator: " ").first ?? "")
    else { return nil }
    return pages * Int(getpagesize())
  }

  private static func megabytes(_ bytes: Int) -> String {
    bytes >= 1 << 30
      ? String(format: "%.1f GB", Double(bytes) / Double(1 << 30))
      : bytes >= 1 << 20 ? "\(grouped(bytes >> 20)) MB" : "\(grouped(max(bytes >> 10, 1))) KB"
  }
}

/// Why a file cannot be written at `path`, in words, or nil when nothing is known to be wrong
/// (the write itself may still fail; `writeFailure` then explains it).
/// - Parameter path: the path as the user gave it.
public func writeProblem(at path: String) -> (message: String, help: String?)? {
  guard !path.isEmpty else {
    return ("the path is empty", "give a file name, e.g. \"results.csv\"")
  }
  let expanded = (path as NSString).expandingTildeInPath
  let manager = FileManager.default
  var isFolder: ObjCBool = false
  if manager.fileExists(atPath: expanded, isDirectory: &isFolder), isFolder.boolValue {
    return ("'\(path)' is a folder", "name a file inside it, e.g. \"\(path)/out.csv\"")
  }
  let folder = (expanded as NSString).deletingLastPathComponent
  if folder.isEmpty { return nil }
  if !manager.fileExists(atPath: folder, isDirectory: &isFolder) {
    return ("no folder '\(folder)'", "create the folder first")
  }
  if !isFolder.boolValue { return ("'\(folder)' is a file, not a folder", nil) }
  if !manager.isWritableFile(atPath: folder) {
    return ("the folder '\(folder)' is not writable", nil)
  }
  return nil
}

/// A failed write's error in words (never `NSCocoaErrorDomain error 512`).
/// - Parameter error: what the write threw.
public func writeFailure(_ error: any Error) -> String {
  if let failure = error as? AtomicFile.Failure { return failure.reason }
  let error = error as NSError
  if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError,
    underlying.domain == NSPOSIXErrorDomain
  {
    return String(cString: strerror(Int32(underlying.code))).lowercased()
  }
  if error.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(error.code))) }
  switch error.code {
  case NSFileWriteOutOfSpaceError: return "the disk is full"
  case NSFileWriteNoPermissionError: return "permission denied"
  case NSFileWriteVolumeReadOnlyError: return "the volume is read-only"
  default: return "the file could not be written"
  }
}

/// The current thread's stack: its lowest address and its size; nil when unknown.
func nativeStackOfCurrentThread() -> (lowest: UInt, size: UInt)? {
  #if canImport(Glibc)
    // NOTE: pthread_getattr_np is a GNU extension the Glibc module does not export; look it up.
    typealias GetAttributes =
      @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pthread_getattr_np") else {
      return nil
    }
    let getAttributes = unsafeBitCast(symbol, to: GetAttributes.self)
    var attributes = pthread_attr_t()
    guard getAttributes(pthread_self(), &attributes) == 0 else { return nil }
    defer { pthread_attr_destroy(&attributes) }
    var lowest: UnsafeMutableRawPointer?
    var size = 0
    guard pthread_attr_getstack(&attributes, &lowest, &size) == 0, let lowest else { return nil }
    return (UInt(bitPattern: lowest), UInt(size))
  #else
    return nil
  #endif
}

/// The address of the caller's stack frame, roughly, or `UInt.max` when it is not inside
/// `stack` (the thread's stack range).
///
/// NOTE: under the address sanitizer a local may live on a "fake stack" in the heap, far from
/// the thread's stack; such an address reads as plenty of room, so the depth checks that use it
/// never fire falsely.
@inline(__always)
func currentStackAddress(within stack: Range<UInt>) -> UInt {
  var marker: UInt8 = 0
  let address = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
  return stack.contains(address) ? address : UInt.max
}

/// The current thread's stack as an address range; empty when unknown.
func currentThreadStackRange() -> Range<UInt> {
  nativeStackOfCurrentThread().map { $0.lowest..<($0.lowest + $0.size) } ?? 0..<0
}
