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
    session.send("h = t.fit(100000)\n")
    #expect(session.expect("training autoencoder 784-64-16-64-784"))
    Thread.sleep(forTimeInterval: 1.5)
    session.send("\u{03}")
    #expect(session.expect("interrupted at <entry 5>:1:5 during epoch"))
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
    // The interrupted fit still bound h to the history so far.
    session.send("type(h) + \" \" + str(h.epochs >= 0)\n")
    #expect(session.expect("\"history true\""), "\(session.transcript)")
    // :save keeps the interrupted entry, marked.
    let saved = home.appendingPathComponent("session.kms")
    session.send(":save \(saved.path)\n")
    #expect(session.expect("saved "))
    let script = try String(contentsOf: saved, encoding: .utf8)
    #expect(script.contains("# interrupted with Ctrl-C in the session:\nh = t.fit(100000)\n"))
    // Ctrl-D asks once about the unsaved trained model; answering no keeps the session.
    #expect(session.expect("> "))
    session.send("\u{04}")
    #expect(session.expect("1 trained model not saved (ae); quit anyway? [y/N] "))
    session.send("n\n")
    #expect(session.expect("> "))
    session.send("\u{04}")
    #expect(session.expect("quit anyway? [y/N] "))
    // A second Ctrl-D quits.
    session.send("\u{04}")
    #expect(session.waitForExit() == 0)
  }
}
