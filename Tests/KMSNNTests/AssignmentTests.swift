import KMSNN
import KMSTensor
import Testing

/// The best total over all one-to-one matchings of a square table, by trying every permutation.
private func bruteForceBest(_ weights: [[Int]]) -> Int {
  var best = Int.min
  var columns = Array(weights.indices)
  // Heap's algorithm visits every permutation of `columns`.
  func visit(_ k: Int) {
    if k == 1 {
      best = max(best, columns.indices.reduce(0) { $0 + weights[$1][columns[$1]] })
      return
    }
    visit(k - 1)
    for i in 0..<(k - 1) {
      columns.swapAt(k % 2 == 0 ? i : 0, k - 1)
      visit(k - 1)
    }
  }
  visit(columns.count)
  return best
}

/// True when the assignment uses each column at most once and its total is its entries' sum.
private func isConsistent(_ assignment: Assignment, _ weights: [[Int]]) -> Bool {
  let used = assignment.columnOfRow.compactMap { $0 }
  let sum = assignment.columnOfRow.enumerated().reduce(0) { total, pair in
    total + (pair.element.map { weights[pair.offset][$0] } ?? 0)
  }
  return Set(used).count == used.count && sum == assignment.total
}

@Suite("Hungarian assignment")
struct AssignmentTests {
  @Test("a hand-made table where taking the largest entry first is wrong")
  func greedyFails() throws {
    // Greedy takes the 9 (row 0 → column 0), then must pair row 1 with column 1: 9 + 1 = 10.
    // The optimum crosses over: 8 + 7 = 15.
    let weights = [[9, 8],
                   [7, 1]]
    let assignment = try maximumWeightAssignment(weights)
    #expect(assignment.columnOfRow == [1, 0])
    #expect(assignment.total == 15)
  }

  @Test("a 4×4 table with its optimum worked out by hand")
  func handMade() throws {
    // Row maxima are 7, 6, 5, 9 but rows 0 and 3 both want column 3. The optimum
    // 0→2 (6), 1→1 (6), 2→0 (5), 3→3 (9) totals 26.
    let weights = [[3, 1, 6, 7],
                   [2, 6, 4, 1],
                   [5, 2, 3, 4],
                   [1, 3, 2, 9]]
    let assignment = try maximumWeightAssignment(weights)
    #expect(assignment.columnOfRow == [2, 1, 0, 3])
    #expect(assignment.total == 26)
    #expect(bruteForceBest(weights) == 26)
  }

  @Test("non-square tables are padded with zeros; extra rows are left over")
  func nonSquare() throws {
    // Three rows, two columns: one row must go unmatched. Best is 0→1 (5) and 2→0 (4).
    let tall = try maximumWeightAssignment([[1, 5], [2, 3], [4, 4]])
    #expect(tall.columnOfRow == [1, nil, 0])
    #expect(tall.total == 9)
    // Two rows, three columns: one column stays unused. Best is 0→2 (6) and 1→0 (5).
    let wide = try maximumWeightAssignment([[1, 2, 6], [5, 4, 6]])
    #expect(wide.columnOfRow == [2, 0])
    #expect(wide.total == 11)
    #expect(try maximumWeightAssignment([]).columnOfRow.isEmpty)
    #expect(try maximumWeightAssignment([[], []]).columnOfRow == [nil, nil])
  }

  @Test("random tables reach the brute-force optimum", arguments: [5, 6])
  func bruteForce(size: Int) throws {
    var rng = RandomSource(seed: UInt64(size))
    for _ in 0..<40 {
      // Small counts make many ties, the case where a wrong potential update shows up.
      let bound = rng.int(below: 2) == 0 ? 4 : 1000
      let weights = (0..<size).map { _ in (0..<size).map { _ in rng.int(below: bound) } }
      let assignment = try maximumWeightAssignment(weights)
      #expect(isConsistent(assignment, weights) && !assignment.columnOfRow.contains(nil))
      #expect(assignment.total == bruteForceBest(weights), "\(weights)")
    }
  }

  @Test("a ragged table throws")
  func ragged() {
    #expect(throws: AssignmentError.self) { try maximumWeightAssignment([[1, 2], [3]]) }
    #expect(throws: AssignmentError.self) { try bestRelabelling(counts: [[1, 2], [3]]) }
  }
}

@Suite("Best relabelling")
struct RelabellingTests {
  @Test("a permuted identity relabels to 100%")
  func permutedIdentity() {
    // Class t is always predicted as index (3t + 1) mod 10, a permutation.
    let labels: [Int32] = (0..<200).map { Int32($0 % 10) }
    let predicted = labels.map { (3 * Int($0) + 1) % 10 }
    let matrix = ConfusionMatrix(predicted: predicted, labels: labels, classCount: 10)
    #expect(matrix.accuracy == 0)
    let relabelling = matrix.bestRelabelling
    #expect(relabelling.accuracy == 1)
    #expect(relabelling.correct == 200 && relabelling.total == 200)
    #expect(relabelling.apply(to: predicted) == labels.map { Int($0) })
    for t in 0..<10 { #expect(relabelling.classOfPrediction[(3 * t + 1) % 10] == t) }
  }

  @Test("a noisy confusion matrix: relabelled accuracy is the best diagonal after permuting")
  func noisy() throws {
    // Rows true, columns predicted. Class 0 is mostly predicted 1, class 1 mostly 2, class 2
    // split between 0 and 1: its own largest count (5, index 1) belongs to class 0.
    let counts = [[1, 7, 0],
                  [0, 2, 6],
                  [4, 5, 1]]
    let relabelling = try bestRelabelling(counts: counts)
    #expect(relabelling.classOfPrediction == [2, 0, 1])
    #expect(relabelling.correct == 17 && relabelling.total == 26)
    #expect(abs(relabelling.accuracy - 17.0 / 26) < 1e-12)
    #expect(ConfusionMatrix(counts: counts).bestRelabelling == relabelling)
  }

  @Test("more predicted indices than classes leave some indices without a class")
  func widerThanClasses() throws {
    // 2 classes, 3 predicted indices: index 1 is class 0, index 2 is class 1, index 0 is extra.
    let relabelling = try bestRelabelling(counts: [[1, 9, 0],
                                                   [2, 0, 8]])
    #expect(relabelling.classOfPrediction == [nil, 0, 1])
    #expect(relabelling.correct == 17 && relabelling.total == 20)
    #expect(relabelling.apply(to: [0, 1, 2]) == [-1, 0, 1])
  }
}
