import Foundation
import Testing

@testable import KMSNN

/// The paper's narrowing on synthetic objectives whose optimum is known.
@Suite("Narrowing")
struct NarrowingTests {
  @Test("a log-scale learning rate and an integer batch narrow together to the known optimum")
  func jointOptimum() throws {
    // Minimum at lr = 10^-3.3 ≈ 0.0005, batch = 700: unimodal in log10(lr) and batch.
    let lr = try NarrowingAxis(name: "lr", low: 1e-5, high: 0.1, scale: .log, resolution: 2)
    let batch = try NarrowingAxis(
      name: "batch", low: 128, high: 2048, resolution: 64, isInteger: true)
    var calls = 0
    var rounds = 0
    let result = try Narrowing(axes: [lr, batch]).run(
      score: { point in
        calls += 1
        return pow(log10(point[0]) + 3.3, 2) + pow((point[1] - 700) / 500, 2)
      },
      onRound: { _ in rounds += 1 })
    // Within the resolution: a factor of 2 in lr, 64 in batch.
    #expect(result.best[0] / 10.0.pow(-3.3) < 2 && 10.0.pow(-3.3) / result.best[0] < 2)
    #expect(abs(result.best[1] - 700) <= 64)
    #expect(result.best[1] == result.best[1].rounded())
    #expect(batch.grid.allSatisfy { $0 == $0.rounded() })
    // Every distinct point scored once; far fewer than the full grid.
    #expect(calls == result.trialCount)
    #expect(result.fullGridCount == lr.grid.count * batch.grid.count)
    #expect(lr.grid.count == 15 && batch.grid.count == 31)
    #expect(result.trialCount * 8 < result.fullGridCount, "\(result.trialCount) trials")
    #expect(rounds == result.rounds.count && result.rounds.last!.isFinal)
    // The best is the best of the whole final interval's grid values.
    let final = result.rounds.last!
    #expect(final.points.contains { $0.values == result.best })
  }

  @Test("one linear axis: the best of every grid value of the final interval, accuracy maximised")
  func singleAxisMaximum() throws {
    let width = try NarrowingAxis(name: "width", low: 2, high: 512, resolution: 8, isInteger: true)
    var seen: [Double] = []
    let result = try Narrowing(axes: [width], lowerIsBetter: false).run { point in
      seen.append(point[0])
      return 1 - abs(point[0] - 225) / 1000
    }
    let nearest = width.grid.min { abs($0 - 225) < abs($1 - 225) }!
    #expect(result.best == [nearest])
    #expect(Set(seen).count == seen.count, "a point was scored twice")
    #expect(result.trialCount < width.grid.count / 3)
  }

  @Test("failed and diverged points lose to every scored point; no score at all is an error")
  func failures() throws {
    let axis = try NarrowingAxis(name: "x", low: 0, high: 1, resolution: 0.25)
    let result = try Narrowing(axes: [axis]).run { point in
      point[0] > 0.6 ? nil : (point[0] == 0 ? .nan : point[0])
    }
    #expect(result.best == [0.25])
    #expect(throws: NarrowingError.noScore) { try Narrowing(axes: [axis]).run { _ in nil } }
    #expect(throws: NarrowingError.self) {
      try NarrowingAxis(name: "lr", low: 0, high: 1, scale: .log)
    }
    #expect(throws: NarrowingError.self) { try NarrowingAxis(name: "b", low: 4, high: 4) }
  }
}

extension Double {
  fileprivate func pow(_ exponent: Double) -> Double { Foundation.pow(self, exponent) }
}
