import Foundation
import KMSLang
import Testing

@Suite("samples/paper-b.kms")
struct PaperBScriptTests {
  @Test("paper-b.kms quick runs on the sample and writes every figure and the results table")
  func quickRun() throws {
    let folder = try temporaryFile("paper-b").deletingLastPathComponent()
      .appendingPathComponent("paper-b-figures")
    try? FileManager.default.removeItem(at: folder)
    let (status, text) = try runSample("paper-b.kms", arguments: [folder.path, "quick"])
    #expect(status == 0, "\(text)")
    let figures = ["fig00-no-prior", "fig16-csd-lr0.001", "fig17-csd", "fig18-one-hot-confusion",
                   "fig18-one-hot-confusion-relabelled", "fig19-discriminator",
                   "fig19u-discriminator-unconditioned", "fig20-csd-discriminator",
                   "fig20u-csd-discriminator-unconditioned", "fig21-mlp-accuracy",
                   "v1-csd-curve", "v2-discriminator-accuracy"]
    for name in figures {
      let path = folder.appendingPathComponent(name + ".png").path
      let data = FileManager.default.contents(atPath: path) ?? Data()
      #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name).png missing or not a PNG")
    }
    // The epoch lines carry the terms, and the table has every row, each naming its protocol.
    #expect(text.contains(" mse ") && text.contains(" div ") && text.contains(" d_acc "))
    #expect(text.contains("Part B: test accuracy from the code"))
    for row in ["v1 CSD (λ 32, s 5, lr 0.004)", "v2 discriminator, conditioned", "v3 CSD + discriminator",
                "one-hot CSD", "ITL: one-hot CSD codes + MLP", "paper: ITL codes + MLP"] {
      #expect(text.contains(row), "no table row \(row)")
    }
    #expect(text.contains("latent accuracy raw") && text.contains("sample protocol"))
  }

  @Test("prior_fit, classify_latent and curves(metric:) check their arguments")
  func bindingErrors() throws {
    let script = """
      ae = autoencoder([16, 2], code: "linear")
      d = prior("gaussian_mixture", count: 50)
      print(prior_fit(d, d, "swiss_roll"))
      """
    let result = try runKMS(["-e", script])
    #expect(result.status != 0)
    #expect(result.errors.contains("model"), "\(result.errors)")
    let latent = try runKMS(["-e", "ae = autoencoder([16, 2], code: \"linear\")\nclassify_latent(ae.encoder, kmnist(sample: true).test)"])
    #expect(latent.status == 70 && latent.errors.contains("one code dimension per class"), "\(latent.errors)")
    let metric = try runKMS(["-e", "ae = autoencoder([16, 2], code: \"linear\")\nt = trainer(ae, kmnist(sample: true).validation)\nt.step()\ncurves(t, metric: \"csd\")"])
    #expect(metric.status == 70 && metric.errors.contains("only Part B's prior penalties record it"),
            "\(metric.errors)")
    // A literal kind is checked before anything runs (exit 65), with the library's list.
    let unknown = try runKMS(["-e", "prior(\"banana\")"])
    #expect(unknown.status == 65 && unknown.errors.contains("swiss_roll_3d"), "\(unknown.errors)")
  }
}
