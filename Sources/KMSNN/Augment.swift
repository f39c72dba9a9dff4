import Foundation
import KMSTensor

/// Random distortions of training images, drawn afresh for every batch: a shift of up to `shift`
/// pixels along each axis, a rotation of up to `rotation` degrees about the image centre (one
/// bilinear resampling for both, zeros brought in at the edges) and Gaussian pixel noise of
/// deviation `noise`, the result clamped to the pixels' range [0, 1]. The paper's own suggested
/// improvement (§IV.D: "data augmentation … shifts, rotations"). Applied to training batches only;
/// validation, evaluation and figures see the data as it is.
public struct Augmentation: Codable, Equatable, Sendable {
  /// The largest shift in pixels, along each axis (uniform integers in −shift…shift).
  public var shift: Int
  /// The largest rotation in degrees (uniform in −rotation…rotation).
  public var rotation: Double
  /// The standard deviation of the added pixel noise.
  public var noise: Double
  /// Fixes the sequence of distortions.
  public var seed: UInt64

  /// Creates an augmentation.
  public init(shift: Int, rotation: Double, noise: Double, seed: UInt64) {
    (self.shift, self.rotation, self.noise, self.seed) = (shift, rotation, noise, seed)
  }

  /// `shifts ±2 px, rotations ±10°, noise σ 0.05, seed 0`.
  public var description: String {
    var parts: [String] = []
    if shift > 0 { parts.append("shifts ±\(shift) px") }
    if rotation > 0 { parts.append("rotations ±\(formatted(rotation))°") }
    if noise > 0 { parts.append("noise σ \(formatted(noise))") }
    return (parts.isEmpty ? "no distortion" : parts.joined(separator: ", ")) + ", seed \(seed)"
  }

  private func formatted(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
  }
}

/// Why augmentation cannot apply to a model's inputs.
public struct AugmentationError: KMSError, Equatable {
  /// What does not fit.
  public let message: String
  /// What to try.
  public let hint: String?

  /// The message.
  public var headline: String { message }
}

/// An objective whose training batches are distorted by an `Augmentation` before the objective it
/// wraps sees them; evaluation passes through unchanged. Wrapping the objective, rather than the
/// data, keeps augmentation per batch (every epoch sees new distortions) with no change to the
/// trainer.
public final class AugmentedObjective: Objective {
  /// The objective trained on the distorted batches.
  public let wrapped: Objective
  /// The distortions.
  public let augmentation: Augmentation
  /// `(channels, height, width)` of one input image.
  public let imageShape: (channels: Int, height: Int, width: Int)

  private var rng: RandomSource
  private var distorted = ReusableBuffer()                    // [batch, features]
  private var draws: [(dx: Float, dy: Float, angle: Float, noiseSeed: UInt64)] = []

  /// Wraps an objective whose inputs are images of `imageShape`.
  /// - Parameters:
  ///   - objective: the objective to train.
  ///   - augmentation: the distortions.
  ///   - inputShape: one example's shape: `[c, h, w]`, or `[h·w]` for a square one-channel image.
  /// - Throws: `AugmentationError` when the inputs are not images.
  public init(_ objective: Objective, augmentation: Augmentation, inputShape: Shape)
    throws(AugmentationError)
  {
    if inputShape.rank == 3 {
      imageShape = (inputShape[0], inputShape[1], inputShape[2])
    } else {
      let side = Int(Double(inputShape.elementCount).squareRoot().rounded())
      guard inputShape.rank == 1, side * side == inputShape.elementCount, side >= 2 else {
        throw AugmentationError(
          message: "augmentation distorts images, but the model's inputs are \(inputShape)",
          hint: "augment the pixels (a classifier on images), not codes")
      }
      imageShape = (1, side, side)
    }
    wrapped = objective
    self.augmentation = augmentation
    rng = RandomSource(seed: augmentation.seed)
  }

  /// The wrapped objective's store.
  public var store: ParameterStore { wrapped.store }
  /// As the wrapped objective.
  public var reportsAccuracy: Bool { wrapped.reportsAccuracy }
  /// As the wrapped objective.
  public var needsLabels: Bool { wrapped.needsLabels }
  /// As the wrapped objective.
  public var inputSize: Int { wrapped.inputSize }

  /// Distorts the batch, then runs the wrapped objective's step on it.
  public func trainStep(inputs: Tensor, labels: ArraySlice<Int32>) -> BatchResult {
    wrapped.trainStep(inputs: distort(inputs), labels: labels)
  }

  /// The wrapped objective's loss on the batch as it is.
  public func evaluate(inputs: Tensor, labels: ArraySlice<Int32>) -> BatchResult {
    wrapped.evaluate(inputs: inputs, labels: labels)
  }

  /// Switches the wrapped objective.
  public func setTraining(_ isTraining: Bool) { wrapped.setTraining(isTraining) }

  /// The wrapped objective's state, with this objective's random source when it has none.
  public var state: ObjectiveState {
    var state = wrapped.state
    if state.random == nil { state.random = rng }
    return state
  }

  /// Puts back a state saved from an objective built the same way.
  public func restore(_ state: ObjectiveState) throws(ObjectiveStateError) {
    var inner = state
    if wrapped.state.random == nil, let random = state.random {
      rng = random
      inner.random = nil
    }
    try wrapped.restore(inner)
  }

  /// The batch with each image distorted. Every image's distortion is drawn in order from one
  /// source before the work is split, so the result does not depend on the worker count.
  /// - Parameter inputs: `[batch, features]`, pixels in [0, 1].
  /// - Returns: `[batch, features]`, in a buffer reused every batch.
  func distort(_ inputs: Tensor) -> Tensor {
    let batch = inputs.shape[0], size = inputs.shape.rowSize
    let (c, h, w) = imageShape
    let out = distorted.tensor(inputs.shape)
    let a = augmentation
    draws.removeAll(keepingCapacity: true)
    for _ in 0..<batch {
      let dx = a.shift > 0 ? Float(rng.int(below: 2 * a.shift + 1) - a.shift) : 0
      let dy = a.shift > 0 ? Float(rng.int(below: 2 * a.shift + 1) - a.shift) : 0
      let degrees = a.rotation > 0 ? rng.uniform(in: Float(-a.rotation)...Float(a.rotation)) : 0
      draws.append((dx, dy, degrees * .pi / 180, rng.next()))
    }
    let (x, y, noise) = (inputs.data, out.data, Float(a.noise))
    let (cy, cx) = (Float(h - 1) / 2, Float(w - 1) / 2)
    draws.withUnsafeBufferPointer { draws in
      Parallel.forEachChunk(of: batch, minimumPerWorker: max(1, 16_384 / size)) { range in
        for n in range {
          let d = draws[n]
          let (cosine, sine) = (cos(d.angle), sin(d.angle))
          var noiseSource = RandomSource(seed: d.noiseSeed)
          let image = x + n * size, target = y + n * size
          for oy in 0..<h {
            for ox in 0..<w {
              // The source of output pixel (oy, ox): undo the shift, then the rotation.
              let (ry, rx) = (Float(oy) - d.dy - cy, Float(ox) - d.dx - cx)
              let sy = cosine * ry - sine * rx + cy, sx = sine * ry + cosine * rx + cx
              let (y0, x0) = (Int(sy.rounded(.down)), Int(sx.rounded(.down)))
              let (fy, fx) = (sy - Float(y0), sx - Float(x0))
              for channel in 0..<c {
                let plane = image + channel * h * w
                func pixel(_ py: Int, _ px: Int) -> Float {
                  py >= 0 && py < h && px >= 0 && px < w ? plane[py * w + px] : 0
                }
                var value = (1 - fy) * ((1 - fx) * pixel(y0, x0) + fx * pixel(y0, x0 + 1))
                  + fy * ((1 - fx) * pixel(y0 + 1, x0) + fx * pixel(y0 + 1, x0 + 1))
                if noise > 0 { value += noise * noiseSource.normal() }
                target[(channel * h + oy) * w + ox] = min(max(value, 0), 1)
              }
            }
          }
        }
      }
    }
    return out
  }
}
