import Foundation
import Testing

@Suite("Ctrl-C during training")
struct TrainingInterruptTests {
  @Test("stops at a batch boundary, keeps the model usable and the session going")
  func interruptTraining() throws {
    let home = try temporaryFile("home").deletingLastPathComponent()
    let session = try TerminalSession(executable: try kmsExecutable(), home: home)
    #expect(session.expect("> "))
    session.send("data = kmnist(sample: true)\n")
    #expect(session.expect("> "))
    session.send("ae = autoencoder([64, 16])\n")
    #expect(session.expect("> "))
    // 400 images at batch 4: an epoch of 100 batches lasts seconds in a debug build, long enough
    // for Ctrl-C to land inside it and short enough to train one more after.
    session.send("small = data.train.subset(per_class: 40)\n")
    #expect(session.expect("> "))
    session.send("t = trainer(ae, small, validation: data.validation, batch: 4)\n")
    #expect(session.expect("> "))
    // Far more epochs than could finish: only Ctrl-C ends this.
    session.send("t.fit(100000)\n")
    #expect(session.expect("training autoencoder 784-64-16-64-784"))
    Thread.sleep(forTimeInterval: 1.5)
    session.send("\u{03}")
    #expect(session.expect("interrupted at <repl>:1:1 during epoch"))
    #expect(session.expect("the model keeps the weights of its last completed batch"))
    #expect(session.expect("> "))
    // The model still works, and training can go on from where it stopped.
    session.send("evaluate(ae, data.test).mse < 0.5\n")
    #expect(session.expect("true"))
    session.send("before = t.epochs\n")
    #expect(session.expect("> "))
    session.send("t.step(verbose: false).epoch == before + 1\n")
    let stepped = session.expect("true", timeout: 120)  // a debug build on a loaded machine
    #expect(stepped, "\(session.transcript)")
    #expect(session.expect("> "))
    session.send("\u{04}")
    #expect(session.waitForExit() == 0)
  }
}
