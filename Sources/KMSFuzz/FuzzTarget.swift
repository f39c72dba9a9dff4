// A libFuzzer target over the whole kms pipeline (lexer → parser → resolver → interpreter)
// with every builtin bound. Built only by scripts/fuzz.sh (KMS_FUZZ=1 adds this target to the
// package), never by the normal build or test run.
//
// What is stubbed, and why:
//   - kmnist(), fashion_mnist(): a synthetic 40-image dataset (4 per class, 20/10/10), so a
//     program that trains runs in milliseconds; the real readers are fuzzed by the data tests'
//     hostile files, not here.
//   - fetch_kmnist(): refused (no network in a fuzz run).
//   - time: each input gets `budgetSeconds`; a watchdog thread then raises the Ctrl-C flag, which
//     the interpreter and the trainer poll, so an endless loop ends as "interrupted" instead of
//     a libFuzzer timeout. Code that never polls still shows up as a timeout, which is a finding.
// The script runs the target as an unprivileged user in a scratch folder, so `save`, `png` and
// `.csv` can only write there.
import Foundation
import KMSData
import KMSLang
import KMSTensor

/// How long one input may run before the watchdog interrupts it.
let budgetSeconds = 0.25

/// The registry the fuzzer runs programs against: the standard one with the data stubs above.
nonisolated(unsafe) let fuzzRegistry: BuiltinRegistry = {
  let registry = BuiltinRegistry()
  registry.registerCore()
  // resplit and the dataset types are the real ones, taken from a registry of their own.
  let data = BuiltinRegistry()
  data.registerData()
  for type in data.hostTypes { registry.register(type) }
  if let resplit = data.builtin(named: "resplit") { registry.register(resplit) }
  registry.register(
    Builtin(
      "kmnist",
      parameters: [.optional("path", .optional(.string), default: .none),
                   .keyword("sample", .boolean, default: .boolean(false))],
      summary: "fuzz stub: 40 synthetic images", example: "data = kmnist()"
    ) { _ in .host(SplitsObject(tinySplits)) })
  registry.register(
    Builtin(
      "fashion_mnist", parameters: [], summary: "fuzz stub: 40 synthetic images",
      example: "data = fashion_mnist()"
    ) { _ in .host(SplitsObject(tinySplits)) })
  registry.register(
    Builtin(
      "fetch_kmnist", parameters: [.optional("folder", .optional(.string), default: .none)],
      summary: "fuzz stub: refused", example: "fetch_kmnist()"
    ) { arguments in throw arguments.error("no network in a fuzz run") })
  registry.registerNN()
  registry.registerPlot()
  registry.registerTable()
  return registry
}()

/// 40 synthetic 28×28 images, 4 per class, split 20 / 10 / 10.
let tinySplits: DataSplits = {
  func part(_ name: String, _ perClass: Int, seed: UInt64) -> Dataset {
    var rng = RandomSource(seed: seed)
    let count = perClass * 10
    let features = Tensor(shape: [count, 784])
    for i in 0..<(count * 784) { features.data[i] = rng.uniform() }
    let labels = (0..<count).map { Int32($0 % 10) }
    return Dataset(
      name: "fuzz-\(name)", provenance: "synthetic fuzz data (\(count) images)",
      features: features, labels: labels, classNames: KMNIST.classNames, imageHeight: 28,
      imageWidth: 28)
  }
  return DataSplits(
    train: part("train", 2, seed: 1), validation: part("validation", 1, seed: 2),
    test: part("test", 1, seed: 3), protocolName: "fuzz")
}()

/// The watchdog's view of the input being run: its deadline, or nil between inputs.
final class Watchdog: @unchecked Sendable {
  private let lock = NSLock()
  private var deadline: Date?

  init() {
    let thread = Thread { [unowned self] in
      while true {
        usleep(5_000)
        lock.lock()
        if let deadline, Date() > deadline { Interrupt.request() }
        lock.unlock()
      }
    }
    thread.start()
  }

  func arm() {
    lock.lock()
    deadline = Date().addingTimeInterval(budgetSeconds)
    lock.unlock()
  }

  func disarm() {
    lock.lock()
    deadline = nil
    lock.unlock()
    Interrupt.clear()
  }
}

let watchdog = Watchdog()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let data = Data(bytes: start, count: count)
  let (file, invalid) = SourceFile.decoding(data, name: "<fuzz>")
  if let invalid {
    // An invalid byte must be located inside the file.
    precondition(invalid.range.start.line >= 1 && invalid.range.start.column >= 1)
    _ = invalid.rendered(colored: false)
  }
  let interpreter = Interpreter(registry: fuzzRegistry, output: { _ in })
  watchdog.arm()
  defer { watchdog.disarm() }
  switch interpreter.run(file) {
  case .success(let value):
    _ = value?.repr
  case .failure(.compile(let diagnostics)):
    for diagnostic in diagnostics { check(diagnostic, in: file) }
  case .failure(.runtime(let error)):
    check(Diagnostic(error), in: file)
  }
  return 0
}

/// Every diagnostic must point into the file it is about and render.
func check(_ diagnostic: Diagnostic, in file: SourceFile) {
  let range = diagnostic.range
  precondition(range.start.line >= 1 && range.start.column >= 1, "bad range \(range)")
  precondition(range.start <= range.end, "range ends before it starts: \(range)")
  precondition(range.start.line <= max(range.file.lines.count, 1), "range past the end: \(range)")
  _ = diagnostic.rendered(colored: false)
}

// NOTE: SwiftPM links an executable target with `main` defined as `<Module>_main`, which would
// shadow libFuzzer's own `main`; so the entry point is provided under that name and hands over
// to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafeRawPointer, Int) -> CInt
) -> CInt

@_cdecl("KMSFuzz_main")
public func fuzzMain(
  _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
  var count = argc
  var arguments = argv
  return runFuzzerDriver(&count, &arguments) { fuzzOneInput($0, $1) }
}
