import Foundation
import KMSTensor

// Losses return their value and write ∂loss/∂prediction into a caller's buffer, so the training
// loop allocates nothing. Each is a mean over the batch (and, for MSE, over features too), the
// convention of Keras and PyTorch.

/// Mean squared error over all elements: L = (1/n) Σ (p − t)², ∂L/∂p = 2(p − t)/n.
/// - Parameters:
///   - predicted: `[batch, features]`.
///   - target: the same shape.
///   - gradient: receives ∂L/∂predicted, the same shape.
/// - Returns: the loss.
@discardableResult
public func meanSquaredError(predicted: Tensor, target: Tensor, gradient: Tensor) -> Float {
  precondition(predicted.shape == target.shape && gradient.count == predicted.count,
               "meanSquaredError: predicted \(predicted.shape), target \(target.shape)")
  let n = predicted.count
  let (p, t, g) = (predicted.data, target.data, gradient.data)
  let scale = 2 / Float(n)
  let sum = Parallel.sumOverChunks(of: n) { range in
    var sum: Double = 0
    for i in range {
      let d = p[i] - t[i]
      g[i] = scale * d
      sum += Double(d * d)
    }
    return sum
  }
  return Float(sum / Double(n))
}

/// Mean squared error and its gradient as a new tensor (for one-off use outside a loop).
/// - Parameters:
///   - predicted: `[batch, features]`.
///   - target: the same shape.
public func meanSquaredError(predicted: Tensor, target: Tensor) -> (loss: Float, gradient: Tensor) {
  let gradient = Tensor(shape: predicted.shape)
  return (meanSquaredError(predicted: predicted, target: target, gradient: gradient), gradient)
}

/// Softmax cross-entropy on integer labels, fused for stability:
/// L = (1/B) Σ_b [log Σ_c e^{z_bc} − z_{b,y_b}], ∂L/∂z = (softmax(z) − onehot(y)) / B.
/// The log-sum-exp subtracts each row's maximum first.
/// - Parameters:
///   - logits: `[batch, classes]`.
///   - labels: `batch` labels, each in `0..<classes`.
///   - gradient: receives ∂L/∂logits, `[batch, classes]`.
/// - Returns: the loss.
@discardableResult
public func softmaxCrossEntropy<Labels: RandomAccessCollection<Int32>>(
  logits: Tensor, labels: Labels, gradient: Tensor
) -> Float where Labels.Index == Int {
  let (batch, classes) = (logits.shape[0], logits.shape.rowSize)
  precondition(labels.count == batch && gradient.count == logits.count,
               "softmaxCrossEntropy: logits \(logits.shape), \(labels.count) labels")
  var total: Double = 0
  for (b, label) in zip(0..<batch, labels) {
    let y = Int(label)
    precondition(y >= 0 && y < classes, "label \(y) out of range for \(classes) classes")
    let z = logits.data + b * classes, g = gradient.data + b * classes
    var top = z[0]
    for c in 1..<classes { top = max(top, z[c]) }
    var sum: Float = 0
    for c in 0..<classes {
      g[c] = expf(z[c] - top)
      sum += g[c]
    }
    total += Double(logf(sum) + top - z[y])
    let scale = 1 / (sum * Float(batch))
    for c in 0..<classes { g[c] *= scale }  // softmax / B
    g[y] -= 1 / Float(batch)                 // − onehot / B
  }
  return Float(total / Double(batch))
}

/// Sigmoid cross-entropy with logits (the discriminator's loss), mean over all elements:
/// L = (1/n) Σ [max(z, 0) − z·t + log(1 + e^{−|z|})], ∂L/∂z = (σ(z) − t)/n.
/// This form never overflows (TensorFlow's `sigmoid_cross_entropy_with_logits`).
/// - Parameters:
///   - logits: any shape.
///   - targets: the same count, each in [0, 1] (1 = real, 0 = fake).
///   - gradient: receives ∂L/∂logits.
/// - Returns: the loss.
@discardableResult
public func sigmoidCrossEntropy(logits: Tensor, targets: Tensor, gradient: Tensor) -> Float {
  precondition(logits.count == targets.count && gradient.count == logits.count,
               "sigmoidCrossEntropy: logits \(logits.shape), targets \(targets.shape)")
  let n = logits.count
  let (z, t, g) = (logits.data, targets.data, gradient.data)
  var total: Double = 0
  for i in 0..<n {
    total += Double(max(z[i], 0) - z[i] * t[i] + log1pf(expf(-abs(z[i]))))
    g[i] = (1 / (1 + expf(-z[i])) - t[i]) / Float(n)
  }
  return Float(total / Double(n))
}
