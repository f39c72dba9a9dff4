import Foundation
import KMSTensor

/// Batch normalisation (Ioffe & Szegedy 2015, "Batch Normalization: Accelerating Deep Network
/// Training by Reducing Internal Covariate Shift", ICML), per channel for images `[c, h, w]` and
/// per feature for flat inputs `[features]`, as Keras's `BatchNormalization` on its last axis:
///
///   training:   y = γ · (x − μ_B) / √(σ²_B + ε) + β, with the batch's own mean and (biased)
///               variance, and moving ← momentum · moving + (1 − momentum) · batch statistic;
///   evaluation: y = γ · (x − moving mean) / √(moving variance + ε) + β, a fixed function of each
///               example alone.
///
/// Keras's defaults: momentum 0.99, ε 0.001; γ starts at 1, β at 0, the moving mean at 0 and the
/// moving variance at 1.
/// NOTE: at momentum 0.99 the moving statistics forget their start with a time constant of 100
/// steps; on kmnist-10k (55 batches an epoch) the paper's CNN with three batchnorm layers still
/// evaluated at 10–13% after five epochs while training at 89%, as Keras users see too. Momentum
/// 0.9 (PyTorch's 0.1) fixed it (`batchnorm(momentum: 0.9)`).
///
/// The moving statistics are parameters of the model's store (so model files, snapshots and early
/// stopping keep them) whose gradient is always zero, so Adam never moves them; summaries count
/// them as Keras does (non-trainable).
public final class BatchNorm: Layer {
  /// γ, `[channels]`.
  public let scale: Parameter
  /// β, `[channels]`.
  public let offset: Parameter
  /// The moving mean, `[channels]` (not trained: gradient zero).
  public let movingMean: Parameter
  /// The moving variance, `[channels]` (not trained: gradient zero).
  public let movingVariance: Parameter
  /// Channels (features) normalised separately.
  public let channels: Int
  /// Elements per channel in one example (height · width; 1 for flat features).
  public let spatialSize: Int
  /// The moving statistics' decay.
  public let momentum: Float
  /// Added to the variance.
  public let epsilon: Float
  /// Whether `backward` computes ∂loss/∂input.
  public var needsInputGradient = true

  private var isTraining = false
  private var usedBatchStatistics = false       // how the last forward normalised
  private var normalized = ReusableBuffer()     // [batch, channels, spatial]: x̂
  private var output = ReusableBuffer()         // [batch, channels, spatial]
  private var inputGradient = ReusableBuffer()  // [batch, channels, spatial]
  private var inverseDeviation: [Float]         // [channels]: 1 / √(σ² + ε) of the last forward
  private var savedShape: Shape = []

  /// Creates a batch normalisation layer.
  /// - Parameters:
  ///   - channels: channels (or features) normalised separately.
  ///   - spatialSize: elements per channel in one example (h·w, or 1).
  ///   - momentum: the moving statistics' decay (Keras 0.99).
  ///   - epsilon: added to the variance (Keras 0.001).
  ///   - name: prefix of the parameter names.
  public init(channels: Int, spatialSize: Int = 1, momentum: Float = 0.99, epsilon: Float = 0.001,
              name: String = "batchnorm") {
    precondition(channels > 0 && spatialSize > 0, "BatchNorm needs positive sizes")
    (self.channels, self.spatialSize, self.momentum, self.epsilon) =
      (channels, spatialSize, momentum, epsilon)
    scale = Parameter(name: "\(name).gamma", value: Tensor(shape: [channels], repeating: 1))
    offset = Parameter(name: "\(name).beta", value: Tensor(shape: [channels]))
    movingMean = Parameter(name: "\(name).moving_mean", value: Tensor(shape: [channels]))
    movingVariance = Parameter(name: "\(name).moving_variance",
                               value: Tensor(shape: [channels], repeating: 1))
    inverseDeviation = Array(repeating: 1, count: channels)
  }

  /// γ, β, then the moving mean and variance.
  public var parameters: [Parameter] { [scale, offset, movingMean, movingVariance] }

  /// The moving mean and variance: in the store, never trained.
  public var nonTrainableCount: Int { 2 * channels }

  /// Training uses the batch's statistics (and updates the moving ones); evaluation the moving.
  public func setTraining(_ isTraining: Bool) { self.isTraining = isTraining }

  /// Normalises each channel.
  public func forward(_ input: Tensor) -> Tensor {
    let (c, s) = (channels, spatialSize)
    precondition(input.shape.rank >= 2 && input.shape.rowSize == c * s,
                 "\(summaryName) got input \(input.shape)")
    savedShape = input.shape
    let batch = input.shape[0]
    let xhat = normalized.tensor([batch, c, s]), y = output.tensor(input.shape)
    usedBatchStatistics = isTraining
    let (x, xh, yp) = (input.data, xhat.data, y.data)
    let (gamma, beta, mean, variance) = (scale.value.data, offset.value.data, movingMean.value.data,
                                         movingVariance.value.data)
    let (training, momentum, epsilon) = (isTraining, momentum, epsilon)
    inverseDeviation.withUnsafeMutableBufferPointer { inverse in
      let inv = inverse.baseAddress!
      Parallel.forEachChunk(of: c, minimumPerWorker: max(1, 32_768 / max(batch * s, 1))) { range in
        for channel in range {
          let mu: Float, sigma2: Float
          if training {
            // Two passes in Double: the mean, then the squared deviations (no cancellation).
            var sum = 0.0
            for n in 0..<batch {
              let row = x + (n * c + channel) * s
              for i in 0..<s { sum += Double(row[i]) }
            }
            let m = sum / Double(batch * s)
            var squares = 0.0
            for n in 0..<batch {
              let row = x + (n * c + channel) * s
              for i in 0..<s { let d = Double(row[i]) - m; squares += d * d }
            }
            (mu, sigma2) = (Float(m), Float(squares / Double(batch * s)))
            mean[channel] = momentum * mean[channel] + (1 - momentum) * mu
            variance[channel] = momentum * variance[channel] + (1 - momentum) * sigma2
          } else {
            (mu, sigma2) = (mean[channel], variance[channel])
          }
          let inverse = 1 / (sigma2 + epsilon).squareRoot()
          inv[channel] = inverse
          let (g, b) = (gamma[channel], beta[channel])
          for n in 0..<batch {
            let offset = (n * c + channel) * s
            for i in 0..<s {
              let normal = (x[offset + i] - mu) * inverse
              xh[offset + i] = normal
              yp[offset + i] = g * normal + b
            }
          }
        }
      }
    }
    return y
  }

  /// dγ += Σ dy·x̂, dβ += Σ dy; in training dx = γ/(N·σ) · (N·dy − Σdy − x̂·Σ(dy·x̂)) over the
  /// channel's N = batch·spatial values, in evaluation dx = γ/σ · dy.
  public func backward(_ outputGradient: Tensor) -> Tensor? {
    let (c, s) = (channels, spatialSize)
    let batch = savedShape[0]
    precondition(outputGradient.count == batch * c * s,
                 "\(summaryName).backward got \(outputGradient.shape)")
    let wantsInput = needsInputGradient
    let dx = wantsInput ? inputGradient.tensor(savedShape) : nil
    let xhat = normalized.tensor([batch, c, s])
    let (dy, xh, dxp) = (outputGradient.data, xhat.data, dx?.data)
    let (gamma, dGamma, dBeta) = (scale.value.data, scale.gradient.data, offset.gradient.data)
    let batchStatistics = usedBatchStatistics
    inverseDeviation.withUnsafeBufferPointer { inverse in
      let inv = inverse.baseAddress!
      Parallel.forEachChunk(of: c, minimumPerWorker: max(1, 32_768 / max(batch * s, 1))) { range in
        for channel in range {
          var sumDy = 0.0, sumDyXhat = 0.0
          for n in 0..<batch {
            let offset = (n * c + channel) * s
            for i in 0..<s {
              sumDy += Double(dy[offset + i])
              sumDyXhat += Double(dy[offset + i]) * Double(xh[offset + i])
            }
          }
          dGamma[channel] += Float(sumDyXhat)
          dBeta[channel] += Float(sumDy)
          guard let dxp else { continue }
          let count = Float(batch * s)
          let factor = gamma[channel] * inv[channel]
          let (meanDy, meanDyXhat) = (Float(sumDy) / count, Float(sumDyXhat) / count)
          for n in 0..<batch {
            let offset = (n * c + channel) * s
            for i in 0..<s {
              dxp[offset + i] = batchStatistics
                ? factor * (dy[offset + i] - meanDy - xh[offset + i] * meanDyXhat)
                : factor * dy[offset + i]
            }
          }
        }
      }
    }
    return dx
  }

  /// The same shape.
  public func outputShape(for inputShape: Shape) -> Shape { inputShape }

  /// `BatchNorm(32)`.
  public var summaryName: String { "BatchNorm(\(channels))" }
}
