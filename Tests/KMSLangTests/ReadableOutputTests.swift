import Foundation
@testable import KMSLang
@testable import KMSNN
import KMSPlot
import Testing

/// Output that stays readable: provenance and notices once per session, history tables at
/// the prompt in short form, the progress bar's fit position.
@Suite("Readable output")
struct ReadableOutputTests {
  @Test("a dataset's provenance and a protocol's notice print once per session")
  func provenanceOnce() throws {
    let program = """
      data = kmnist(sample: true)
      small = data.test.subset(per_class: 1)
      print(small)
      print(small)
      print(data)
      print(data.test.subset(per_class: 1))
      """
    let output = runProgram(program, name: "p.kms").output
    let provenance = "test part, first 1 per class"
    #expect(output.components(separatedBy: provenance).count == 2, "\(output)")
    #expect(output.components(separatedBy: "sample-test: (provenance printed above").count == 3)
    // The protocol's notice was printed when the data loaded, so print(data) leaves it out,
    // while each part's provenance, not yet shown, prints in full.
    #expect(output.components(separatedBy: "note: using the shipped KMNIST sample").count == 2)
    #expect(output.contains("re-split 2,100/300/600 by the sample protocol, stratified, seed 1812: train part\n"))
    // A new session prints everything again.
    var fresh = ""
    let other = Interpreter { fresh += $0 }
    _ = other.run(SourceFile(name: "q.kms", text: "d = kmnist(sample: true)\nprint(d.test.subset(per_class: 1))"))
    #expect(fresh.contains(provenance))
  }

  @Test("a fit reports its position to the display: epoch N of the fit's last, and the fit's ETA")
  func fitPosition() throws {
    final class Positions: DisplaySink {
      var seen: [(epoch: Int, last: Int, remaining: Double, epochRemaining: Double)] = []
      func write(_ text: String) {}
      func progress(_ progress: BatchProgress) { Issue.record("fit progress without its position") }
      func progress(_ progress: BatchProgress, fit: FitPosition) {
        seen.append((progress.epoch, fit.lastEpoch, fit.remaining, progress.remaining))
      }
      func endProgress() {}
      func show(_ figure: any Figure, scale: Int) throws {}
    }
    let sink = Positions()
    let interpreter = Interpreter(display: sink)
    let program = """
      data = kmnist(sample: true)
      t = trainer(autoencoder([8]), data.train.subset(per_class: 4), batch: 10)
      r = t.step()
      h = t.fit(3)
      """
    if case .failure(let failure) = interpreter.run(SourceFile(name: "f.kms", text: program)) {
      Issue.record("\(failure)")
    }
    // The step is a fit of one epoch (1/1); the fit after it runs epochs 2 to 4 of the trainer.
    #expect(sink.seen.first?.epoch == 1 && sink.seen.first?.last == 1)
    let fit = sink.seen.filter { $0.epoch >= 2 }
    #expect(Set(fit.map(\.last)) == [4])
    #expect(Set(fit.map(\.epoch)) == [2, 3, 4])
    // The fit's ETA covers the epochs after this one; in its last epoch it is the epoch's.
    for position in fit {
      #expect(position.remaining >= position.epochRemaining)
      if position.epoch == 4 { #expect(position.remaining == position.epochRemaining) }
    }
    #expect(fit.contains { $0.epoch == 2 && $0.remaining > $0.epochRemaining })
  }

  @Test("the progress line reads epoch 3/30, the batch, the loss and both ETAs")
  func progressLine() {
    let progress = BatchProgress(epoch: 3, batch: 12, batchCount: 48, loss: 0.02131, elapsed: 6)
    let line = ProgressBar.line(progress, fit: FitPosition(lastEpoch: 30, remaining: 112), bar: "#")
    #expect(line == "epoch 3/30 # 12/48  loss 0.0213  ETA 18 s, fit 1 min 52 s")
    // The last epoch of a fit has no separate fit ETA; without a fit there is no '/N'.
    let last = ProgressBar.line(progress, fit: FitPosition(lastEpoch: 3, remaining: 18), bar: "#")
    #expect(last == "epoch 3/3 # 12/48  loss 0.0213  ETA 18 s")
    #expect(ProgressBar.line(progress, fit: nil, bar: "#") == "epoch 3 # 12/48  loss 0.0213  ETA 18 s")
    #expect(ProgressBar.duration(7300) == "2 h 01 min")
    #expect(ProgressBar.duration(.infinity) == "?")
  }
}
