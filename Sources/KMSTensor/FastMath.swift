/// A vectorised e^x for Float, accurate to about 2 ulp over the range where e^x is a normal
/// float; below −87.3 it returns 0 and above 88.7 it returns +∞.
///
/// Method (Cephes `expf`, as in most SIMD math libraries): write x = n·ln 2 + r with n an integer
/// and |r| ≤ ln2/2, approximate e^r by a degree-6 polynomial, and scale by 2ⁿ through the float's
/// exponent bits. `Foundation.expf` is scalar; this processes 8 lanes per instruction, which
/// matters for the sigmoid on every reconstructed pixel.
@inlinable
public func fastExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
  let clamped = x.clamped(lowerBound: SIMD8(repeating: -87.3), upperBound: SIMD8(repeating: 88.7))
  // n = round(x / ln 2), by adding 1.5·2²³: a float that large has no fraction bits, so the
  // addition rounds to the nearest integer (ties to even, as `rounded(.toNearestOrEven)`) and
  // leaves that integer in the low bits of the sum, read back below without a conversion.
  // NOTE: measured in `kms bench` ("sigmoid"): the generic `rounded` and
  // `SIMD8<Int32>(_:rounding:)` compile to per-lane calls on the baseline x86-64 target (no
  // SSE4.1 `roundps`), ~4.5% of an SAE epoch; this form is plain adds and subtracts. The
  // results are bit for bit the same.
  let shifter = SIMD8<Float>(repeating: 12_582_912)
  let shifted = clamped * 1.442_695_04 + shifter
  let n = shifted - shifter
  // r = x − n·ln 2, with ln 2 split in two parts for precision (Cody–Waite).
  var r = clamped - n * 0.693_359_375
  r = r + n * 2.121_944_4e-4
  var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
  p = p * r + 1.398_199_95e-3
  p = p * r + 8.333_451_9e-3
  p = p * r + 4.166_579_6e-2
  p = p * r + 1.666_666_55e-1
  p = p * r + 5e-1
  p = p * r * r + r + 1
  // 2ⁿ: put n + 127 into the exponent field.
  let exponent = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
  var result = p * unsafeBitCast(exponent, to: SIMD8<Float>.self)
  result.replace(with: 0, where: x .< -87.3)
  result.replace(with: Float.infinity, where: x .> 88.7)
  return result
}

/// e^x for one Float through the vector routine (for the tails of arrays).
@inlinable
public func fastExp(_ x: Float) -> Float { fastExp(SIMD8(repeating: x))[0] }

extension UnsafeMutablePointer<Float> {
  /// Writes `1 / (1 + e^(−source[i]))` for `i` in `range`, 8 lanes at a time.
  /// - Parameters:
  ///   - source: the inputs.
  ///   - range: the indices to compute.
  @inlinable
  public func storeSigmoid(of source: UnsafePointer<Float>, in range: Range<Int>) {
    var i = range.lowerBound
    while i + 8 <= range.upperBound {
      let x = UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self)
      let y = 1 / (1 + fastExp(-x))
      UnsafeMutableRawPointer(self + i).storeBytes(of: y, as: SIMD8<Float>.self)
      i += 8
    }
    while i < range.upperBound {
      self[i] = 1 / (1 + fastExp(-source[i]))
      i += 1
    }
  }
}

extension SIMD8<Float> {
  /// Eight floats read from `pointer` (no alignment needed).
  /// - Parameter pointer: the first of eight readable floats.
  @inlinable
  public static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
  }

  /// Writes the eight lanes to `pointer` (no alignment needed).
  /// - Parameter pointer: the first of eight writable floats.
  @inlinable
  public func store(to pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: SIMD8<Float>.self)
  }
}
