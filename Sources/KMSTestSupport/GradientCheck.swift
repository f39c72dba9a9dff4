import KMSNN
import KMSTensor

/// The outcome of comparing analytic gradients with central differences.
public struct GradientCheckResult: CustomStringConvertible {
  /// The largest relative error over all checked entries.
  public var maxRelativeError: Double
  /// The worst few entries: what was checked, analytic and numeric values.
  public var worstEntries: [String]
  /// One line for a failure message.
  public var description: String {
    "max relative error \(maxRelativeError); worst: " + worstEntries.joined(separator: "; ")
  }
}

/// The relative error of two derivatives, |a − n| / max(|a|, |n|, floor), after tinygrad's
/// `extra/gradcheck.py`; the floor keeps near-zero derivatives from dominating.
func relativeError(_ analytic: Double, _ numeric: Double, floor: Double = 1e-3) -> Double {
  abs(analytic - numeric) / max(abs(analytic), abs(numeric), floor)
}

/// Checks a layer's backward against central differences of L = Σ output ⊙ r for a fixed random r,
/// for the input gradient and for every parameter gradient. The differences are taken in Double
/// from Float forward passes, with step `h`.
/// - Parameters:
///   - layer: the layer under test (its `needsInputGradient` must be true).
///   - input: the point to check at, `[batch, …]`.
///   - h: the finite-difference step.
///   - seed: fixes the projection r.
public func gradientCheck(_ layer: Layer, at input: Tensor, h: Float = 1e-2, seed: UInt64 = 99)
  -> GradientCheckResult
{
  var rng = RandomSource(seed: seed)
  let output = layer.forward(input)
  let projection = Tensor.uniform(output.shape, in: -1...1, rng: &rng)
  func loss() -> Double {
    let y = layer.forward(input)
    var total = 0.0
    for i in 0..<y.count { total += Double(y.data[i]) * Double(projection.data[i]) }
    return total
  }
  // Analytic: one forward, one backward with dL/dy = r.
  for parameter in layer.parameters { parameter.gradient.fill(with: 0) }
  _ = layer.forward(input)
  let inputGradient = layer.backward(projection)?.copy()
  var checks: [(name: String, values: Tensor, analytic: Tensor)] =
    layer.parameters.map { ($0.name, $0.value, $0.gradient.copy()) }
  if let inputGradient { checks.append(("input", input, inputGradient)) }

  var worst: [(Double, String)] = []
  var maxError = 0.0
  for check in checks {
    // At most 64 entries per tensor, spread evenly, to keep the check quick.
    let stride = max(1, check.values.count / 64)
    for index in Swift.stride(from: 0, to: check.values.count, by: stride) {
      let saved = check.values.data[index]
      check.values.data[index] = saved + h
      let plus = loss()
      check.values.data[index] = saved - h
      let minus = loss()
      check.values.data[index] = saved
      let numeric = (plus - minus) / (2 * Double(h))
      let analytic = Double(check.analytic.data[index])
      let error = relativeError(analytic, numeric)
      maxError = max(maxError, error)
      worst.append((error, "\(check.name)[\(index)]: analytic \(analytic), numeric \(numeric)"))
    }
  }
  worst.sort { $0.0 > $1.0 }
  return GradientCheckResult(maxRelativeError: maxError, worstEntries: worst.prefix(3).map(\.1))
}

/// Checks a loss's gradient against central differences of its value with respect to the
/// prediction.
/// - Parameters:
///   - prediction: the point to check at.
///   - h: the finite-difference step.
///   - loss: computes the loss and writes its gradient into the second argument.
public func lossGradientCheck(at prediction: Tensor, h: Float = 1e-3,
                              _ loss: (Tensor, Tensor) -> Float) -> GradientCheckResult {
  let gradient = Tensor(shape: prediction.shape)
  let scratch = Tensor(shape: prediction.shape)
  _ = loss(prediction, gradient)
  var worst: [(Double, String)] = []
  var maxError = 0.0
  for index in 0..<prediction.count {
    let saved = prediction.data[index]
    prediction.data[index] = saved + h
    let plus = Double(loss(prediction, scratch))
    prediction.data[index] = saved - h
    let minus = Double(loss(prediction, scratch))
    prediction.data[index] = saved
    let numeric = (plus - minus) / (2 * Double(h))
    let error = relativeError(Double(gradient.data[index]), numeric, floor: 1e-2)
    maxError = max(maxError, error)
    worst.append((error, "[\(index)]: analytic \(gradient.data[index]), numeric \(numeric)"))
  }
  worst.sort { $0.0 > $1.0 }
  return GradientCheckResult(maxRelativeError: maxError, worstEntries: worst.prefix(3).map(\.1))
}
