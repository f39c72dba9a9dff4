/// The kms version, printed by `kms --version` and the REPL banner.
public let kmsVersion = "0.1.0"
