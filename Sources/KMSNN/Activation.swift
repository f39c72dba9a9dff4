import Foundation
import KMSTensor

/// The elementwise nonlinearities kms uses.
public enum ActivationKind: String, CaseIterable, Codable, Sendable {
  /// max(0, x).
  case relu
  /// 1 / (1 + e^−x).
  case sigmoid
  /// tanh x.
  case tanh
  /// The identity (a linear code layer, as Part B's priors need negative coordinates).
  case linear
}

/// An elementwise activation layer. It keeps its *output*, from which each derivative follows:
/// relu′ = [y > 0], sigmoid′ = y(1 − y), tanh′ = 1 − y².
public final class Activation: Layer {
  /// Which function.
  public let kind: ActivationKind
  /// Whether `backward` computes ∂loss/∂input.
  public var needsInputGradient = true

  private var savedOutput: Tensor?       // [batch, features], kept for backward
  private var output = ReusableBuffer()  // [batch, features]
  private var inputGradient = ReusableBuffer()  // [batch, features]

  /// Creates an activation layer.
  /// - Parameter kind: the function.
  public init(_ kind: ActivationKind) { self.kind = kind }

  /// None.
  public var parameters: [Parameter] { [] }

  /// Applies the function elementwise.
  public func forward(_ input: Tensor) -> Tensor {
    let y = output.tensor(input.shape)
    let (src, dst, kind) = (input.data, y.data, kind)
    Parallel.forEachChunk(of: input.count) { range in
      switch kind {
      case .relu: for i in range { dst[i] = max(src[i], 0) }
      case .sigmoid: dst.storeSigmoid(of: src, in: range)  // vectorised e^x (FastMath.swift)
      case .tanh: for i in range { dst[i] = tanhf(src[i]) }
      case .linear: (dst + range.lowerBound).update(from: src + range.lowerBound, count: range.count)
      }
    }
    savedOutput = y
    return y
  }

  /// dx = dy · f′(x), with f′ written in terms of the saved output.
  public func backward(_ outputGradient: Tensor) -> Tensor? {
    guard needsInputGradient else { return nil }
    guard let y = savedOutput else {
      preconditionFailure("Activation.backward called before forward")
    }
    precondition(outputGradient.shape == y.shape,
                 "\(summaryName).backward got \(outputGradient.shape), expected \(y.shape)")
    let dx = inputGradient.tensor(y.shape)
    let (dyp, yp, dxp, kind) = (outputGradient.data, y.data, dx.data, kind)
    Parallel.forEachChunk(of: y.count) { range in
      switch kind {
      case .relu:  // in C for the CPU's vector width (Kernels.swift): the Swift loop was scalar
        Kernels.reluBackward(inputGradient: dxp + range.lowerBound,
                             outputGradient: dyp + range.lowerBound, output: yp + range.lowerBound,
                             count: range.count)
      case .sigmoid: for i in range { dxp[i] = dyp[i] * yp[i] * (1 - yp[i]) }
      case .tanh: for i in range { dxp[i] = dyp[i] * (1 - yp[i] * yp[i]) }
      case .linear: (dxp + range.lowerBound).update(from: dyp + range.lowerBound, count: range.count)
      }
    }
    return dx
  }

  /// The same shape.
  public func outputShape(for inputShape: Shape) -> Shape { inputShape }

  /// `ReLU`, `Sigmoid`, `Tanh`, `Linear`.
  public var summaryName: String {
    switch kind {
    case .relu: "ReLU"
    case .sigmoid: "Sigmoid"
    case .tanh: "Tanh"
    case .linear: "Linear"
    }
  }
}
