import KMSTensor

/// A 2-D convolution over NCHW images with square kernels, a stride and Keras's `"valid"` or
/// `"same"` padding, optionally followed by a fused ReLU:
/// `output[n, f] = bias[f] + Σ_c weight[f, c] ⋆ input[n, c]`.
///
/// Lowering: im2col + sgemm, one image at a time, the batch split across workers (each with its
/// own unfolded-image buffer and its own weight-gradient accumulator, added in worker order).
/// NOTE: chosen by measurement (`ConvolutionBenchmark.lowering` in KMSBench, printed by
/// `kms bench`): for the paper's second layer (32 → 112 channels, 3×3, 26×26 → 24×24) one
/// image's unfolded matrix is 288 × 576 floats (663 KB, about the size of L2), and im2col + sgemm
/// on it ran 4× faster than a direct convolution whose inner loop runs along output rows
/// (30.7 against 7.7 GFLOP/s on one thread, release build, `kms bench --quick`): the direct loop
/// streams each output row through memory once per channel and tap (288 times) and cannot block
/// for registers the way OpenBLAS's kernel does. Per image, not per batch: the batch's unfolded
/// matrix would be 128 × 663 KB, far outside every cache, and the output of `weight · columns` is
/// already the image's NCHW block, so nothing is transposed.
///
/// Backward recomputes each image's columns instead of keeping them (an unfold is ~0.17 M copies
/// against the ~74 MFLOP of that image's two backward products in the second layer).
public final class Conv2D: Layer {
  /// `[filters, channels, kernel, kernel]`, Glorot-uniform at creation (as Keras).
  public let weight: Parameter
  /// `[filters]`, zero at creation.
  public let bias: Parameter
  /// The input and output shapes of one image.
  public let geometry: ConvolutionGeometry
  /// `.relu` when a ReLU is fused into the output, else `.linear`.
  public let activation: ActivationKind
  /// Whether `backward` computes ∂loss/∂input.
  public var needsInputGradient = true

  private var savedInput: Tensor?                  // [batch, channels, height, width]
  private var savedOutput: Tensor?                 // [batch, filters, outH, outW], for ReLU′
  private var output = ReusableBuffer()            // [batch, filters, outH, outW]
  private var inputGradient = ReusableBuffer()     // [batch, channels, height, width]
  private var columns = ReusableBuffer()           // [workers, patchSize, outPixels]
  private var maskedGradient = ReusableBuffer()    // [workers, filters, outPixels]: dy · ReLU′
  private var weightGradients = ReusableBuffer()   // [workers, filters, patchSize]
  private var biasGradients = ReusableBuffer()     // [workers, filters]

  /// The number of filters (output channels).
  public var filters: Int { weight.shape[0] }

  /// Creates a convolution with Glorot-uniform weights (fan-in c·k², fan-out f·k², as Keras)
  /// and zero biases.
  /// - Parameters:
  ///   - geometry: the input image and the kernel, stride and padding.
  ///   - filters: output channels.
  ///   - activation: `.relu` to fuse a ReLU, `.linear` for none.
  ///   - name: prefix of the parameter names.
  ///   - rng: the random source for the weights.
  public init(geometry: ConvolutionGeometry, filters: Int, activation: ActivationKind = .linear,
              name: String = "conv2d", rng: inout RandomSource) {
    precondition(filters > 0, "Conv2D needs at least one filter")
    precondition(activation == .relu || activation == .linear,
                 "Conv2D fuses only ReLU; put an Activation layer after it for \(activation)")
    self.geometry = geometry
    self.activation = activation
    let k = geometry.kernel
    let limit = (6 / Float((geometry.channels + filters) * k * k)).squareRoot()
    weight = Parameter(
      name: "\(name).weight",
      value: .uniform([filters, geometry.channels, k, k], in: -limit...limit, rng: &rng))
    bias = Parameter(name: "\(name).bias", value: Tensor(shape: [filters]))
  }

  /// The weight and the bias.
  public var parameters: [Parameter] { [weight, bias] }

  /// `[batch, channels·height·width]` (or `[batch, channels, height, width]`) →
  /// `[batch, filters, outHeight, outWidth]`.
  public func forward(_ input: Tensor) -> Tensor {
    let g = geometry
    precondition(input.shape.rank >= 2 && input.shape.rowSize == g.imageSize,
                 "\(summaryName) got input \(input.shape)")
    savedInput = input
    let batch = input.shape[0]
    let (f, p, patch) = (filters, g.outPixels, g.patchSize)
    let y = output.tensor([batch, f, g.outHeight, g.outWidth])
    let workers = max(1, min(Parallel.count, batch))
    let unfolded = columns.tensor([workers, patch, p])
    let (x, w, b, yp, cols, relu) = (input.data, weight.value.data, bias.value.data, y.data,
                                      unfolded.data, activation == .relu)
    let direct = g.kernel == 1 && g.stride == 1 && g.padTop == 0 && g.padLeft == 0
    Parallel.run(parts: workers) { part in
      let scratch = cols + part * patch * p
      for n in Parallel.range(of: batch, parts: workers, part: part) {
        let image = x + n * g.imageSize, out = yp + n * f * p
        if !direct { im2col(image, g, into: scratch) }
        serialGEMM(m: f, n: p, k: patch, a: w, lda: patch, b: direct ? image : scratch, ldb: p,
                   c: out, ldc: p)
        for filter in 0..<f {
          let row = out + filter * p, bias = b[filter]
          if relu {
            for i in 0..<p { row[i] = max(row[i] + bias, 0) }
          } else {
            for i in 0..<p { row[i] += bias }
          }
        }
      }
    }
    savedOutput = y
    return y
  }

  /// dW += Σ_n dyₙ · columnsₙᵀ, db += Σ dy, and dx = col2im(Wᵀ · dyₙ), with dy · ReLU′ first
  /// when a ReLU is fused.
  public func backward(_ outputGradient: Tensor) -> Tensor? {
    guard let x = savedInput, let y = savedOutput else {
      preconditionFailure("Conv2D.backward called before forward")
    }
    precondition(outputGradient.count == y.count,
                 "\(summaryName).backward got \(outputGradient.shape)")
    let g = geometry
    let batch = x.shape[0]
    let (f, p, patch) = (filters, g.outPixels, g.patchSize)
    let workers = max(1, min(Parallel.count, batch))
    let unfolded = columns.tensor([workers, patch, p])
    let masked = maskedGradient.tensor([workers, f, p])
    let dWs = weightGradients.tensor([workers, f, patch]), dbs = biasGradients.tensor([workers, f])
    dWs.fill(with: 0)
    dbs.fill(with: 0)
    let wantsInput = needsInputGradient
    let dx = wantsInput ? inputGradient.tensor(x.shape) : nil
    let (xp, yp, dyp, w) = (x.data, y.data, outputGradient.data, weight.value.data)
    let (cols, mp, dWp, dbp, dxp) = (unfolded.data, masked.data, dWs.data, dbs.data, dx?.data)
    let (relu, direct) = (activation == .relu, g.kernel == 1 && g.stride == 1 && g.padTop == 0
                            && g.padLeft == 0)
    Parallel.run(parts: workers) { part in
      let scratch = cols + part * patch * p
      let dW = dWp + part * f * patch, db = dbp + part * f
      for n in Parallel.range(of: batch, parts: workers, part: part) {
        let image = xp + n * g.imageSize
        var dy = dyp + n * f * p
        if relu {
          let out = yp + n * f * p, m = mp + part * f * p
          for i in 0..<(f * p) { m[i] = out[i] > 0 ? dy[i] : 0 }
          dy = m
        }
        for filter in 0..<f {
          let row = dy + filter * p
          var sum: Float = 0
          for i in 0..<p { sum += row[i] }
          db[filter] += sum
        }
        if !direct { im2col(image, g, into: scratch) }
        serialGEMM(transposeB: true, m: f, n: patch, k: p, a: dy, lda: p,
                   b: direct ? image : scratch, ldb: p, beta: 1, c: dW, ldc: patch)
        guard wantsInput, let dxp else { continue }
        let target = dxp + n * g.imageSize
        if direct {
          serialGEMM(transposeA: true, m: patch, n: p, k: f, a: w, lda: patch, b: dy, ldb: p,
                     c: target, ldc: p)
        } else {
          serialGEMM(transposeA: true, m: patch, n: p, k: f, a: w, lda: patch, b: dy, ldb: p,
                     c: scratch, ldc: p)
          col2im(scratch, g, into: target)
        }
      }
    }
    // NOTE: added in worker order, so a run repeats bit for bit with the same worker count.
    let (wg, bg) = (weight.gradient.data, bias.gradient.data)
    for part in 0..<workers {
      let dW = dWp + part * f * patch, db = dbp + part * f
      for i in 0..<(f * patch) { wg[i] += dW[i] }
      for i in 0..<f { bg[i] += db[i] }
    }
    return dx
  }

  /// `[channels, height, width]` → `[filters, outHeight, outWidth]`.
  public func outputShape(for inputShape: Shape) -> Shape {
    [filters, geometry.outHeight, geometry.outWidth]
  }

  /// `Conv2D(1 → 32, 3×3)`, with `, stride 2`, `, same` and `+ReLU` as they apply.
  public var summaryName: String {
    let g = geometry
    return "Conv2D(\(g.channels) → \(filters), \(g.kernel)×\(g.kernel)"
      + (g.stride == 1 ? "" : ", stride \(g.stride)") + (g.isSame ? ", same" : "") + ")"
      + (activation == .relu ? "+ReLU" : "")
  }
}
