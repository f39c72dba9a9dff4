import KMSData
import KMSNN

// `augment(data, shift: 2, rotate: 10, noise: 0.05, seed: 0)`: training data whose batches are
// distorted afresh every time the trainer draws them (random shifts, small rotations and pixel
// noise; the paper's suggested improvement, §IV.D). Off unless asked for: `trainer` takes the
// augmented value where it takes data, and only its training batches are distorted.

/// Data (a data value's splits, or one dataset) with the distortions its training batches get.
public final class AugmentedObject: HostObject {
  /// The data as it is: a `SplitsObject` or a `DatasetObject`.
  public let data: any HostObject
  /// The distortions.
  public let augmentation: Augmentation

  init(data: any HostObject, augmentation: Augmentation) {
    (self.data, self.augmentation) = (data, augmentation)
  }

  /// `kmnist-10k protocol: …, training batches augmented (shifts ±2 px, …)`.
  public var summary: String {
    "\(data.summary), training batches augmented (\(augmentation.description))"
  }

  /// The kms type `augmented`.
  public static let hostType = HostType(
    name: "augmented", summary: "data whose training batches are randomly distorted (augment(…))",
    attributes: [
      .attribute("data", of: AugmentedObject.self, summary: "the data as it is, undistorted") {
        .host($0.data)
      },
      .attribute("shift", of: AugmentedObject.self, summary: "the largest shift in pixels") {
        .number(Double($0.augmentation.shift))
      },
      .attribute("rotate", of: AugmentedObject.self, summary: "the largest rotation in degrees") {
        .number($0.augmentation.rotation)
      },
      .attribute("noise", of: AugmentedObject.self, summary: "the pixel noise's deviation") {
        .number($0.augmentation.noise)
      },
    ])
}

extension BuiltinRegistry {
  /// Registers `augment` and its host type.
  func registerAugment() {
    register(AugmentedObject.hostType)
    register(
      Builtin(
        "augment",
        parameters: [.required("data", .oneOf([.host("data"), .host("dataset")])),
                     .keyword("shift", .integer, default: .number(2)),
                     .keyword("rotate", .number, default: .number(10)),
                     .keyword("noise", .number, default: .number(0.05)),
                     .keyword("seed", .integer, default: .number(0))],
        summary: "training data whose batches get random shifts (pixels), rotations (degrees) and "
          + "pixel noise, drawn afresh each batch; for trainer(model, augment(data))",
        example: "t = trainer(cnn, augment(data, shift: 2, rotate: 10, noise: 0.05))"
      ) { arguments in
        let shift = try arguments.integer("shift", atLeast: 0)
        try arguments.require("shift", shift <= 100, "at most 100")
        let rotation = try arguments.number("rotate", in: 0...180)
        let noise = try arguments.number("noise", in: 0...10)
        let seed = try arguments.integer("seed", atLeast: 0)
        guard case .host(let data) = arguments["data"] else {
          throw arguments.error("data must be a data value or a dataset")
        }
        return .host(AugmentedObject(
          data: data, augmentation: Augmentation(shift: shift, rotation: rotation, noise: noise,
                                                 seed: UInt64(seed))))
      })
  }
}
