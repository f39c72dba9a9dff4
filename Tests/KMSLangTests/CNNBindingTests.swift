import Foundation
import KMSLang
import Testing

/// The layer-list language: conv, maxpool, dropout, batchnorm, flatten and dense in
/// `classifier([…])`, its summary, its errors, augment, and a CNN through every model builtin.
@Suite("CNN bindings")
struct CNNBindingTests {
  static func run(_ source: String) -> (output: String, error: RuntimeError?) {
    PlotBindingTests.run(source)
  }

  @Test("the paper's CNN prints Keras's summary with 4,680,730 parameters; the MLP has 557,322")
  func summaries() {
    let (output, error) = Self.run("""
      cnn = classifier([conv(32, 3), conv(112, 3), maxpool(2), dropout(0.45), dense(288), dropout(0.4), dense(10)])
      cnn.summary()
      print(cnn.parameters)
      print(classifier(784, hidden: [448, 448]).parameters)
      """)
    #expect(error == nil, "\(String(describing: error))")
    let lines = output.split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) }
    let rows = lines.map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
    for expected in ["conv2d1 (Conv2D+ReLU) [32, 26, 26] 320", "conv2d2 (Conv2D+ReLU) [112, 24, 24] 32,368",
                     "maxpool2d1 (MaxPool2D) [112, 12, 12] 0", "dropout1 (Dropout) [112, 12, 12] 0",
                     "dense1 (Dense+ReLU) [288] 4,645,152", "dropout2 (Dropout) [288] 0",
                     "dense2 (Dense) [10] 2,890", "Total params: 4,680,730", "Trainable params: 4,680,730",
                     "Non-trainable params: 0", "4680730", "557322"] {
      #expect(rows.contains(expected), "no row '\(expected)' in\n\(output)")
    }
    #expect(rows.contains("Layer (type) Output Shape Param #"))
  }

  @Test("batchnorm counts Keras's non-trainable moving statistics; layers print as written")
  func batchnormSummary() {
    let (output, error) = Self.run("""
      m = classifier([conv(8, 3, padding: "same"), batchnorm(), maxpool(2, stride: 1), flatten(), dense(16), batchnorm(), dense(10)])
      m.summary()
      print(conv(16, 5, stride: 2, activation: "tanh"))
      print(maxpool(3).kind)
      print(batchnorm(momentum: 0.9))
      """)
    #expect(error == nil, "\(String(describing: error))")
    // conv 8·9 + 8 = 80; batchnorm 4·8 = 32; dense 27·27·8·16 + 16 = 93,328; batchnorm 64; dense 170.
    #expect(output.contains("Total params: 93,674"), "\(output)")
    #expect(output.contains("Non-trainable params: 48"), "\(output)")
    #expect(output.contains("[8, 27, 27]"))
    #expect(output.contains("layer conv(16, 5, stride: 2, tanh)"))
    #expect(output.contains("maxpool\n"))
    #expect(output.contains("layer batchnorm(momentum: 0.9)"))
  }

  @Test("shapes that cannot work are errors at the call, naming the layer and the shapes",
        arguments: [
          ("classifier([conv(8, 29), dense(10)])",
           "layer 1, conv(8, 29): a 29×29 kernel is larger than its input [1, 28, 28]"),
          ("classifier([conv(8, 3), maxpool(2), maxpool(2), maxpool(2), maxpool(2), maxpool(2), dense(10)])",
           "layer 6, maxpool(2): a 2×2 pool on [8, 1, 1] leaves zero pixels"),
          ("classifier([dense(64), conv(8, 3), dense(10)])",
           "layer 2, conv(8, 3): needs images [channels, height, width], got [64]"),
          ("classifier([conv(8, 3), dense(10)], inputs: 784)",
           "layer 1, conv(8, 3): needs images [channels, height, width], got [784]"),
          // A literal is the checker's (error_check_choice.kms); a computed string fails here.
          ("padding = \"full\"\nclassifier([conv(8, 3, padding: padding), dense(10)])",
           "unknown padding \"full\""),
          ("classifier([conv(8, 3), maxpool(2)])",
           "a classifier must end with a linear dense layer of 2 or more class logits"),
        ])
  func shapeErrors(source: String, message: String) {
    let (_, error) = Self.run(source)
    #expect(error?.message == message, "\(String(describing: error?.message))")
  }

  @Test("a CNN trains with augment, evaluates, gives a confusion matrix, and saves and loads identically")
  func trainsAndSaves() throws {
    let folder = try PlotBindingTests.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let (output, error) = Self.run("""
      data = kmnist(sample: true)
      small = data.train.subset(per_class: 50, seed: 1)
      m = classifier([conv(4, 5, stride: 2), batchnorm(), maxpool(2), dropout(0.2), dense(10)], seed: 2)
      a = augment(small, shift: 2, rotate: 10, noise: 0.05, seed: 3)
      print(a)
      t = trainer(m, a, validation: data.validation, lr: 0.01, batch: 50)
      h = t.fit(3, verbose: false)
      print(h.epochs)
      r = evaluate(m, data.test)
      print(r.accuracy > 0.3)
      png(confusion(r), "\(folder)/confusion.png")
      save(m, "\(folder)/cnn.kmsmodel")
      again = load("\(folder)/cnn.kmsmodel")
      print(evaluate(again, data.test).accuracy == r.accuracy and evaluate(again, data.test).loss == r.loss)
      print(again.parameters == m.parameters)
      """)
    #expect(error == nil, "\(String(describing: error))")
    #expect(output.contains("training batches augmented (shifts ±2 px, rotations ±10°, noise σ 0.05, seed 3)"),
            "\(output)")
    let lines = output.split(separator: "\n").map(String.init)
    #expect(lines.contains("3"), "\(output)")
    #expect(lines.filter { $0 == "true" || $0 == "false" } == ["true", "true", "true"], "\(output)")
    #expect(FileManager.default.fileExists(atPath: "\(folder)/confusion.png"))
  }

  @Test("trainer(adam:) picks where Adam adds ε: the forms train differently; others are refused")
  func adamForms() {
    let (output, error) = Self.run("""
      data = kmnist(sample: true)
      small = data.train.subset(per_class: 10, seed: 1)
      fn run(form) {
        m = classifier([conv(4, 3), maxpool(2), dense(10)], seed: 2)
        t = trainer(m, small, lr: 0.001, batch: 20, seed: 1, adam: form)
        return t.fit(2, verbose: false).loss
      }
      k = run("keras")
      p = run("pytorch")
      print(k == run("keras"), p == run("pytorch"), k == p)
      """)
    #expect(error == nil, "\(String(describing: error))")
    #expect(output.contains("true true false"), "\(output)")
    // A literal is refused by the checker before the run; a computed name at the call.
    let (_, unknown) = Self.run("""
      forms = ["sgd"]
      t = trainer(classifier(784, hidden: [4]), kmnist(sample: true), adam: forms[0])
      """)
    #expect(unknown?.message == "unknown adam form \"sgd\"",
            "\(String(describing: unknown?.message))")
    #expect(unknown?.help == "use \"keras\" or \"pytorch\"", "\(String(describing: unknown?.help))")
    let (_, prior) = Self.run("""
      ae = autoencoder([16, 2], code: "linear")
      t = trainer(ae, kmnist(sample: true), prior: "swiss_roll", adam: "pytorch")
      """)
    #expect(prior?.message.contains("without a prior") == true,
            "\(String(describing: prior?.message))")
  }

  @Test("augment refuses codes: it distorts images")
  func augmentNeedsImages() {
    let (_, error) = Self.run("""
      data = kmnist(sample: true)
      m = classifier(10, hidden: [4])
      codes = prior("one_hot", count: 50)
      t = trainer(m, augment(codes, shift: 1))
      """)
    #expect(error?.message.contains("augmentation distorts images") == true,
            "\(String(describing: error?.message))")
  }

  @Test("merge joins training and validation images for a refit, and refuses codes")
  func merge() {
    let (output, error) = Self.run("""
      data = kmnist(sample: true)
      all = data.train.merge(data.validation)
      print(all.count, all.class_counts[0], all.labels[2100] == data.validation.labels[0])
      """)
    #expect(error == nil, "\(String(describing: error))")
    #expect(output.contains("2400 240 true"), "\(output)")
    let (_, refused) = Self.run("""
      data = kmnist(sample: true)
      data.train.merge(prior("one_hot", count: 50))
      """)
    #expect(refused?.message.contains("28×28 image examples") == true,
            "\(String(describing: refused?.message))")
  }
}

@Suite("samples/cnn.kms")
struct CNNSampleTests {
  @Test("samples/cnn.kms quick trains both comparison models and prints their table")
  func quickRun() throws {
    let folder = try temporaryFile("cnn").deletingLastPathComponent()
    let (status, text) = try runSample("cnn.kms", arguments: ["quick"], in: folder)
    #expect(status == 0, "\(text)")
    #expect(text.contains("Total params: 4,680,730"))
    #expect(text.contains("Total params: 557,322"))
    #expect(text.contains("The paper's comparison models"))
    // The table names each recipe: the authors', the one chosen on validation, its refit on
    // train + validation (100 + 100 images in the quick run), and that refit in PyTorch's Adam form.
    let rows = text.split(separator: "\n").filter { $0.contains(" 4680730 ") || $0.contains(" 557322 ") }
    #expect(rows.count == 5, "\(text)")
    #expect(rows.contains { $0.contains("as 3, with PyTorch's Adam form") }, "\(text)")
    #expect(rows.first?.contains("Adam 0.0013, batch 128, 1 epoch (the authors')") == true, "\(text)")
    #expect(rows.contains { $0.contains("Adam 0.0013, batch 64, early stopping on val_accuracy (chosen on validation)") })
    #expect(rows.contains { $0.contains("refitted on train + validation (200) for 1 epoch") }, "\(text)")
    for name in ["cnn-confusion.png", "mlp-confusion.png", "cnn-curves.png"] {
      #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "\(name)")
    }
  }
}
