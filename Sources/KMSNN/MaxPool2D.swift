import KMSTensor

/// Max pooling over NCHW images: each output pixel is the largest input in its `size × size`
/// window, windows `stride` apart, no padding (Keras's `"valid"`). Backward routes each output's
/// gradient to the input it came from (the first maximum of its window, as Keras and PyTorch).
public final class MaxPool2D: Layer {
  /// The window's side.
  public let size: Int
  /// The step between windows.
  public let stride: Int
  /// Channels, height and width of one input image.
  public let inputShape: (channels: Int, height: Int, width: Int)
  /// Whether `backward` computes ∂loss/∂input.
  public var needsInputGradient = true

  private var output = ReusableBuffer()            // [batch, channels, outH, outW]
  private var inputGradient = ReusableBuffer()     // [batch, channels, height, width]
  private var argmax: [Int32] = []                 // [batch, channels, outH, outW]: index in plane
  private var savedShape: Shape = []               // the last input's shape

  /// Output height.
  public var outHeight: Int { (inputShape.height - size) / stride + 1 }
  /// Output width.
  public var outWidth: Int { (inputShape.width - size) / stride + 1 }

  /// Creates a pooling layer for images of one shape.
  /// - Parameters:
  ///   - size: the window's side; at most the image's height and width.
  ///   - stride: the step between windows (Keras's default is `size`).
  ///   - channels: channels of one image.
  ///   - height: its height.
  ///   - width: its width.
  public init(size: Int, stride: Int, channels: Int, height: Int, width: Int) {
    precondition(size >= 1 && stride >= 1 && size <= height && size <= width,
                 "MaxPool2D(\(size), stride \(stride)) does not fit \(height)×\(width)")
    (self.size, self.stride, inputShape) = (size, stride, (channels, height, width))
  }

  /// None.
  public var parameters: [Parameter] { [] }

  /// The maximum of every window, remembering where it was.
  public func forward(_ input: Tensor) -> Tensor {
    let (c, h, w) = inputShape
    precondition(input.shape.rank >= 2 && input.shape.rowSize == c * h * w,
                 "\(summaryName) got input \(input.shape)")
    savedShape = input.shape
    let batch = input.shape[0]
    let (oh, ow, size, stride) = (outHeight, outWidth, size, stride)
    let y = output.tensor([batch, c, oh, ow])
    let planes = batch * c, outPlane = oh * ow
    if argmax.count < planes * outPlane { argmax = Array(repeating: 0, count: planes * outPlane) }
    let (x, yp) = (input.data, y.data)
    argmax.withUnsafeMutableBufferPointer { indices in
      let idx = indices.baseAddress!
      Parallel.forEachChunk(of: planes, minimumPerWorker: max(1, 16_384 / (h * w))) { range in
        for plane in range {
          let src = x + plane * h * w, dst = yp + plane * outPlane, at = idx + plane * outPlane
          for oy in 0..<oh {
            for ox in 0..<ow {
              var best = (oy * stride) * w + ox * stride
              var value = src[best]
              for dy in 0..<size {
                let rowStart = (oy * stride + dy) * w + ox * stride
                for dx in 0..<size where src[rowStart + dx] > value {
                  value = src[rowStart + dx]
                  best = rowStart + dx
                }
              }
              dst[oy * ow + ox] = value
              at[oy * ow + ox] = Int32(best)
            }
          }
        }
      }
    }
    return y
  }

  /// dx is zero except at each window's maximum, which receives (adds, where windows overlap)
  /// that window's gradient.
  public func backward(_ outputGradient: Tensor) -> Tensor? {
    guard needsInputGradient else { return nil }
    let (c, h, w) = inputShape
    let batch = savedShape[0], outPlane = outHeight * outWidth
    precondition(outputGradient.count == batch * c * outPlane,
                 "\(summaryName).backward got \(outputGradient.shape)")
    let dx = inputGradient.tensor(savedShape)
    let (dy, dxp) = (outputGradient.data, dx.data)
    argmax.withUnsafeBufferPointer { indices in
      let idx = indices.baseAddress!
      Parallel.forEachChunk(of: batch * c, minimumPerWorker: max(1, 16_384 / (h * w))) { range in
        for plane in range {
          let target = dxp + plane * h * w, at = idx + plane * outPlane, g = dy + plane * outPlane
          target.update(repeating: 0, count: h * w)
          for i in 0..<outPlane { target[Int(at[i])] += g[i] }
        }
      }
    }
    return dx
  }

  /// `[channels, height, width]` → `[channels, outHeight, outWidth]`.
  public func outputShape(for inputShape: Shape) -> Shape {
    [self.inputShape.channels, outHeight, outWidth]
  }

  /// `MaxPool2D(2×2)`, with `, stride 1` when the stride is not the size.
  public var summaryName: String {
    "MaxPool2D(\(size)×\(size)" + (stride == size ? "" : ", stride \(stride)") + ")"
  }
}
