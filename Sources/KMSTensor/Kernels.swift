internal import CKernels

/// The training loop's elementwise kernels written in C (Sources/CKernels), for the vector
/// width the CPU has: Swift compiles for the baseline x86-64, where these loops ran 4 lanes wide
/// with their vectors spilled to the stack. Each kernel rounds exactly as the Swift loop it
/// replaced did, on every instruction set.
public enum Kernels {
  /// One Adam step on `count` elements (Keras's form; `stepSize` is α_t): the moments are
  /// flushed to zero below the smallest normal float. The arrays must not overlap.
  /// - Parameters:
  ///   - weights: w, updated.
  ///   - gradients: g, read.
  ///   - firstMoments: m, updated.
  ///   - secondMoments: v, updated.
  ///   - count: elements.
  ///   - stepSize: α_t = lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ).
  ///   - beta1: β₁.
  ///   - beta2: β₂.
  ///   - epsilon: ε, added to √v.
  public static func adamUpdate(
    weights: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
    firstMoments: UnsafeMutablePointer<Float>, secondMoments: UnsafeMutablePointer<Float>,
    count: Int, stepSize: Float, beta1: Float, beta2: Float, epsilon: Float
  ) {
    kms_adam_update(weights, gradients, firstMoments, secondMoments, Int64(count), stepSize,
                    beta1, beta2, epsilon)
  }

  /// `dx[i] = y[i] > 0 ? dy[i] : 0` for `i` in `0..<count`, the ReLU's derivative from its
  /// output.
  /// - Parameters:
  ///   - inputGradient: dx, written.
  ///   - outputGradient: dy.
  ///   - output: y, the ReLU's output.
  ///   - count: elements.
  public static func reluBackward(inputGradient: UnsafeMutablePointer<Float>,
                                  outputGradient: UnsafePointer<Float>,
                                  output: UnsafePointer<Float>, count: Int) {
    kms_relu_backward(inputGradient, outputGradient, output, Int64(count))
  }
}
