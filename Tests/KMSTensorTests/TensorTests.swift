import Foundation
import KMSTensor
import KMSTestSupport
import Testing

/// A plain triple loop: the reference for `gemm`.
func naiveProduct(_ a: [[Float]], _ b: [[Float]]) -> [[Float]] {
  a.map { row in (0..<b[0].count).map { j in zip(row, b.map { $0[j] }).reduce(0) { $0 + $1.0 * $1.1 } } }
}

func matrix(_ t: Tensor) -> [[Float]] {
  (0..<t.shape[0]).map { r in (0..<t.shape[1]).map { t[r, $0] } }
}

func transposed(_ m: [[Float]]) -> [[Float]] {
  (0..<m[0].count).map { j in m.map { $0[j] } }
}

@Suite("Tensor")
struct TensorTests {
  @Test("a 2×3 by 3×2 product matches hand-computed numbers")
  func handProduct() {
    let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let b = Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
    #expect(matmul(a, b).scalars == [58, 64, 139, 154])
  }

  @Test("gemm agrees with a naive product for every transpose combination and size",
        arguments: [(false, false), (true, false), (false, true), (true, true)],
        [(3, 4, 5), (164, 300, 200), (37, 513, 129)])
  func transposes(flags: (Bool, Bool), sizes: (Int, Int, Int)) {
    let (m, k, n) = sizes
    var rng = RandomSource(seed: 5)
    let a = Tensor.uniform(flags.0 ? [k, m] : [m, k], in: -1...1, rng: &rng)
    let b = Tensor.uniform(flags.1 ? [n, k] : [k, n], in: -1...1, rng: &rng)
    let c = Tensor(shape: [m, n], repeating: 1)
    // beta = 1 accumulates into the old contents, which are all ones.
    gemm(a, b, into: c, transposeLeft: flags.0, transposeRight: flags.1, alpha: 2, beta: 1)
    let left = flags.0 ? transposed(matrix(a)) : matrix(a)
    let right = flags.1 ? transposed(matrix(b)) : matrix(b)
    let expected = naiveProduct(left, right).joined().map { 2 * $0 + 1 }
    expectClose(c.scalars, Array(expected), relativeTolerance: 1e-4, absoluteTolerance: 1e-3)
  }

  @Test("views share memory with their base and see its writes")
  func views() {
    let base = Tensor(shape: [4, 3], scalars: (0..<12).map(Float.init))
    let middle = base.rows(1..<3)
    #expect(middle.shape == [2, 3])
    #expect(middle.scalars == [3, 4, 5, 6, 7, 8])
    middle[0] = 100
    #expect(base[3] == 100)
    #expect(base.reshaped([2, 6])[1, 0] == 6)
    let copy = base.copy()
    copy[0] = -1
    #expect(base[0] == 0)
  }

  @Test("reductions and elementwise arithmetic give the hand-computed values")
  func arithmetic() {
    let x = Tensor(shape: [2, 2], scalars: [1, -2, 3, -4])
    let y = Tensor(shape: [2, 2], scalars: [1, 1, 1, 1])
    #expect((x + y).scalars == [2, -1, 4, -3])
    #expect((x - y).scalars == [0, -3, 2, -5])
    #expect((2 * x).scalars == [2, -4, 6, -8])
    #expect(x.sum() == -2)
    #expect(x.maxAbsolute() == 4)
    let sums = Tensor(shape: [2])
    x.addColumnSums(into: sums)
    #expect(sums.scalars == [4, -6])
    x.addToEachRow(Tensor(shape: [2], scalars: [10, 20]))
    #expect(x.scalars == [11, 18, 13, 16])
    #expect(x.argmax(row: 0) == 1)
  }

  @Test("the same seed gives the same random numbers; another seed does not")
  func seededRandomness() {
    var a = RandomSource(seed: 42), b = RandomSource(seed: 42), c = RandomSource(seed: 43)
    let first = (0..<5).map { _ in a.next() }
    #expect(first == (0..<5).map { _ in b.next() })
    #expect(first != (0..<5).map { _ in c.next() })
  }

  @Test("uniform and normal samples have the right mean and spread")
  func distributions() {
    var rng = RandomSource(seed: 3)
    let u = Tensor.uniform([100_000], in: -1...1, rng: &rng)
    #expect(abs(u.mean()) < 0.01)
    #expect((0..<u.count).allSatisfy { u[$0] >= -1 && u[$0] <= 1 })
    let n = Tensor.normal([100_000], mean: 2, deviation: 3, rng: &rng)
    let mean = n.mean()
    let variance = (0..<n.count).reduce(0.0) { $0 + pow(Double(n[$1]) - mean, 2) } / Double(n.count)
    #expect(abs(mean - 2) < 0.05)
    #expect(abs(variance.squareRoot() - 3) < 0.05)
  }

  @Test("batch orders cover every example once and repeat for the same seed")
  func batchOrder() {
    let order = BatchOrder(count: 10, batchSize: 4, shuffleSeed: 7)
    #expect(order.batches.map(\.count) == [4, 4, 2])
    #expect(order.batches.flatMap { Array($0) }.sorted() == Array(0..<10))
    let again = BatchOrder(count: 10, batchSize: 4, shuffleSeed: 7)
    #expect(order.batches.map { Array($0) } == again.batches.map { Array($0) })
    let unshuffled = BatchOrder(count: 5, batchSize: 2, shuffleSeed: nil)
    #expect(unshuffled.batches.map { Array($0) } == [[0, 1], [2, 3], [4]])
  }

  @Test("gatherRows copies the chosen rows in order")
  func gather() {
    let source = Tensor(shape: [3, 2], scalars: [0, 1, 10, 11, 20, 21])
    let destination = Tensor(shape: [2, 2])
    source.gatherRows([2, 0], into: destination)
    #expect(destination.scalars == [20, 21, 0, 1])
  }

  @Test("fastExp stays within a few ulp of Foundation's exp, and the sigmoid within 1e-6")
  func fastExponential() {
    for x in stride(from: Float(-80), through: 80, by: 0.37) {
      let expected = Foundation.exp(Double(x))
      #expect(abs(Double(fastExp(x)) - expected) <= expected * 4e-7, "x = \(x)")
    }
    #expect(fastExp(-100) == 0)
    #expect(fastExp(100) == .infinity)
    let input = Tensor(shape: [19], scalars: (0..<19).map { Float($0) - 9 })
    let output = Tensor(shape: [19])
    output.data.storeSigmoid(of: input.data, in: 0..<19)
    for i in 0..<19 {
      #expect(abs(Double(output[i]) - 1 / (1 + Foundation.exp(-Double(input[i])))) < 1e-6)
    }
  }

  /// How many times a worker-pool loop of `parts` parts ran each part, the parts first waiting
  /// `delay(part)` microseconds.
  private func partVisits(_ parts: Int, delay: (Int) -> UInt32 = { _ in 0 }) -> [Int] {
    var hits = [Int](repeating: 0, count: parts)
    hits.withUnsafeMutableBufferPointer { buffer in
      let base = buffer.baseAddress!
      Parallel.run(parts: parts) { part in
        if delay(part) > 0 { usleep(delay(part)) }
        base[part] += 1
      }
    }
    return hits
  }

  @Test("a worker-pool loop visits every part exactly once, many times over")
  func parallelParts() {
    for round in 0..<200 {
      let parts = 1 + round % 7
      #expect(partVisits(parts) == Array(repeating: 1, count: parts))
    }
    let total = Parallel.sumOverChunks(of: 100_000, minimumPerWorker: 1000) { Double($0.count) }
    #expect(total == 100_000)
  }

  @Test("the pool's sleeping paths: a caller that sleeps for a slow part, helpers woken for a job")
  func parallelSleepers() {
    // A part far longer than the caller's spin makes the caller sleep until its last part is
    // signalled; a pause longer than the helpers' spin between jobs makes them park, so the next
    // job must wake them. A lost wake-up would hang here.
    for round in 0..<20 {
      let parts = 2 + round % 3
      #expect(partVisits(parts, delay: { $0 == parts - 1 ? 2_000 : 0 })
        == Array(repeating: 1, count: parts))
      if round % 4 == 0 { usleep(5_000) }
    }
  }
}
