// swift-tools-version: 6.0
// kms: a scripting REPL for autoencoder experiments on Kuzushiji-MNIST.
//
// Layers (dependencies point one way):
//   C shims (CBLAS, CZlib, CPNG, CFreeType, CReadline) and kms's own C kernels (CKernels)
//     → KMSTensor → KMSNN, KMSData, KMSPlot → KMSLang → kms
// KMSBench (the measurements behind `kms bench`) sits beside KMSLang, used only by `kms`.
// Each target lists exactly the modules its files import.
import PackageDescription

let release: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]

// NOTE: the numeric core (KMSTensor, KMSNN) is optimised in debug builds too. Its loops run
// 20–60× slower unoptimised (Adam's update alone was 57% of a debug training step), and the
// suite trains real models; an -Onone core made the suite's slowest test take 5 minutes and
// gave training results that no user ever sees (the release build rounds the same way as -O).
let numericCore: [SwiftSetting] =
  release + [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
  name: "kms",
  products: [
    .executable(name: "kms", targets: ["kms"]),
    .library(name: "KMSLang", targets: ["KMSLang"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    // C shims: a module map and one header each, no API of their own.
    .systemLibrary(
      name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
    .systemLibrary(
      name: "CFreeType", pkgConfig: "freetype2", providers: [.apt(["libfreetype-dev"])]),
    .systemLibrary(
      name: "CReadline", pkgConfig: "readline", providers: [.apt(["libreadline-dev"])]),
    // kms's own C: the FMA-peak loops of `kms bench peak` and the elementwise kernels of the
    // training loop, because only C picks an instruction set per function (AVX-512, AVX2, or
    // the baseline, at run time). Optimised in every build (at -O0 the loops would time the
    // stack); no FMA contraction and no errno from sqrt, so every path rounds the same.
    .target(
      name: "CKernels",
      cSettings: [.unsafeFlags(["-O2", "-ffp-contract=off", "-fno-math-errno"])]),

    // Libraries, one folder a layer.
    .target(name: "KMSTensor", dependencies: ["CBLAS", "CKernels"], swiftSettings: numericCore),
    .target(name: "KMSNN", dependencies: ["KMSTensor"], swiftSettings: numericCore),
    .target(name: "KMSData", dependencies: ["KMSTensor", "CZlib"], swiftSettings: release),
    .target(
      name: "KMSPlot", dependencies: ["KMSTensor", "CPNG", "CFreeType"], swiftSettings: release),
    .target(
      name: "KMSLang", dependencies: ["KMSTensor", "KMSNN", "KMSData", "KMSPlot"],
      swiftSettings: release),
    .target(
      name: "KMSBench", dependencies: ["CKernels", "KMSTensor", "KMSNN", "KMSPlot"],
      swiftSettings: release),
    .target(name: "KMSTestSupport", dependencies: ["KMSTensor", "KMSNN", "KMSPlot"]),

    .executableTarget(
      name: "kms",
      dependencies: [
        "KMSLang", "KMSBench", "KMSNN", "KMSPlot", "KMSTensor", "CReadline",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: release),

    .testTarget(name: "KMSTensorTests", dependencies: ["KMSTensor", "KMSTestSupport"]),
    .testTarget(
      name: "KMSNNTests", dependencies: ["KMSNN", "KMSData", "KMSTensor", "KMSTestSupport"]),
    .testTarget(name: "KMSDataTests", dependencies: ["KMSData", "KMSTensor"]),
    .testTarget(
      name: "KMSPlotTests", dependencies: ["KMSPlot", "KMSData", "KMSTensor", "KMSTestSupport"],
      resources: [.copy("Goldens")]),
    .testTarget(name: "KMSBenchTests", dependencies: ["KMSBench", "KMSNN", "KMSTensor"]),
    .testTarget(
      name: "KMSLangTests",
      dependencies: ["KMSLang", "KMSData", "KMSNN", "KMSPlot", "KMSTensor"],
      resources: [.copy("Fixtures")]),
  ]
)

// scripts/fuzz.sh sets KMS_FUZZ=1 to add the libFuzzer target (Sources/KMSFuzz); the normal
// build and test run never see it.
if Context.environment["KMS_FUZZ"] != nil {
  package.targets.append(
    .executableTarget(
      name: "KMSFuzz", dependencies: ["KMSLang", "KMSData", "KMSTensor"],
      swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
}
