// Optimal one-to-one assignment (the Hungarian algorithm) and the best relabelling of predicted
// classes. With an unsupervised prior the mapping from code dimension to class is arbitrary, so
// PAPER-NOTES.md (Part B) reports accuracy both raw and under the best one-to-one relabelling.

import KMSTensor

/// A one-to-one matching of rows to columns that maximises the sum of the chosen entries.
public struct Assignment: Sendable, Equatable {
  /// For each row, its column; nil for a row left over because there were more rows than columns.
  public let columnOfRow: [Int?]
  /// The sum of the chosen entries.
  public let total: Int
}

/// Why an assignment could not be computed.
public struct AssignmentError: KMSError {
  /// What went wrong, lowercase, naming what was expected.
  public let message: String
  /// What to try.
  public let hint: String?

  /// The message.
  public var headline: String { message }
}

/// The one-to-one assignment of rows to columns with the largest total weight, by the Hungarian
/// algorithm in O(n³) for n = max(rows, columns).
///
/// A non-square table is padded with zeros to a square one; rows matched to a padding column are
/// left over (`nil`), and columns matched to a padding row stay unused.
///
/// Method: Kuhn–Munkres with row and column potentials (Kuhn 1955, Munkres 1957; the shortest
/// augmenting path form of Jonker & Volgenant 1987), minimising the cost −weight. Each row is added
/// in turn and joined to the matching along a shortest alternating path, in O(n²) per row.
/// - Parameter weights: `weights[row][column]`, all rows the same length (e.g. counts).
/// - Returns: the matching and its total.
/// - Throws: `AssignmentError` when the rows have different lengths.
public func maximumWeightAssignment(_ weights: [[Int]]) throws -> Assignment {
  let rows = weights.count
  let columns = weights.first?.count ?? 0
  if let bad = weights.firstIndex(where: { $0.count != columns }) {
    throw AssignmentError(
      message: "assignment needs a rectangular table: row 0 has \(columns) entries but row \(bad) "
        + "has \(weights[bad].count)", hint: "give every row one entry per column")
  }
  let n = max(rows, columns)
  guard n > 0 else { return Assignment(columnOfRow: Array(repeating: nil, count: rows), total: 0) }
  // cost[i][j] = −weight, 1-based as in the classic presentation; padding entries cost 0.
  func cost(_ i: Int, _ j: Int) -> Int {
    i <= rows && j <= columns ? -weights[i - 1][j - 1] : 0
  }
  let infinity = Int.max / 4
  var u = [Int](repeating: 0, count: n + 1)  // row potentials
  var v = [Int](repeating: 0, count: n + 1)  // column potentials
  var rowOfColumn = [Int](repeating: 0, count: n + 1)  // 0 = unmatched; column 0 is a sentinel
  var previous = [Int](repeating: 0, count: n + 1)     // the path back to column 0
  for i in 1...n {
    // Grow a shortest alternating path from row i until it reaches a free column.
    rowOfColumn[0] = i
    var column = 0
    var slack = [Int](repeating: infinity, count: n + 1)
    var visited = [Bool](repeating: false, count: n + 1)
    repeat {
      visited[column] = true
      let row = rowOfColumn[column]
      var delta = infinity, next = 0
      for j in 1...n where !visited[j] {
        let reduced = cost(row, j) - u[row] - v[j]
        if reduced < slack[j] {
          slack[j] = reduced
          previous[j] = column
        }
        if slack[j] < delta {
          delta = slack[j]
          next = j
        }
      }
      // Shift the potentials so the cheapest edge becomes tight, keeping all reduced costs ≥ 0.
      for j in 0...n {
        if visited[j] {
          u[rowOfColumn[j]] += delta
          v[j] -= delta
        } else {
          slack[j] -= delta
        }
      }
      column = next
    } while rowOfColumn[column] != 0
    // Flip the matching along the path.
    repeat {
      let back = previous[column]
      rowOfColumn[column] = rowOfColumn[back]
      column = back
    } while column != 0
  }
  var columnOfRow = [Int?](repeating: nil, count: rows)
  var total = 0
  for j in 1...n where rowOfColumn[j] <= rows && j <= columns {
    columnOfRow[rowOfColumn[j] - 1] = j - 1
    total += weights[rowOfColumn[j] - 1][j - 1]
  }
  return Assignment(columnOfRow: columnOfRow, total: total)
}

/// The best one-to-one relabelling of predicted indices to classes, and the accuracy under it.
public struct Relabelling: Sendable, Equatable {
  /// For each predicted index, the class it stands for; nil for an index left over when there
  /// are more predicted indices than classes (its predictions count as wrong).
  public let classOfPrediction: [Int?]
  /// Examples whose relabelled prediction equals their class.
  public let correct: Int
  /// All examples counted.
  public let total: Int
  /// `correct / total` (0 when there are no examples).
  public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

  /// Maps predicted indices to classes (−1 for a left-over index).
  /// - Parameter predicted: predicted indices, each below `classOfPrediction.count`.
  public func apply(to predicted: [Int]) -> [Int] {
    predicted.map { p in
      precondition(p >= 0 && p < classOfPrediction.count,
                   "relabelling: predicted index \(p) outside 0..<\(classOfPrediction.count)")
      return classOfPrediction[p] ?? -1
    }
  }
}

/// The relabelling of predicted indices that puts the most examples on the diagonal.
/// - Parameter counts: `counts[trueClass][predictedIndex]`, rows the same length; there may be
///   more or fewer predicted indices than classes.
/// - Throws: `AssignmentError` when the rows have different lengths.
public func bestRelabelling(counts: [[Int]]) throws -> Relabelling {
  let classes = counts.count
  let predictions = counts.first?.count ?? 0
  if let bad = counts.firstIndex(where: { $0.count != predictions }) {
    throw AssignmentError(
      message: "relabelling needs a rectangular count table: row 0 has \(predictions) entries but "
        + "row \(bad) has \(counts[bad].count)", hint: "give every class one count per prediction")
  }
  // Rows = predicted indices, columns = classes: the assignment maps each index to a class.
  let transposed = (0..<predictions).map { p in (0..<classes).map { t in counts[t][p] } }
  let assignment = try maximumWeightAssignment(transposed)
  return Relabelling(classOfPrediction: assignment.columnOfRow, correct: assignment.total,
                     total: counts.joined().reduce(0, +))
}

extension ConfusionMatrix {
  /// The relabelling of predicted classes that puts the most examples on the diagonal, and the
  /// accuracy under it (PAPER-NOTES: the paper's Fig. 18 is 21.9% raw, 29.5% relabelled).
  public var bestRelabelling: Relabelling {
    // A confusion matrix is square by construction, so the table is rectangular.
    guard let relabelling = try? KMSNN.bestRelabelling(counts: counts) else {
      preconditionFailure("a ConfusionMatrix is always square")
    }
    return relabelling
  }
}
