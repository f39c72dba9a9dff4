extension EpochRecord {
  /// An epoch's record from its numbers (a result file read back by `gather`);
  /// the memberwise initializer is internal to KMSNN.
  /// - Parameters:
  ///   - epoch: 1-based epoch number.
  ///   - loss: mean training loss.
  ///   - accuracy: training accuracy, for classifiers.
  ///   - validationLoss: validation loss.
  ///   - validationAccuracy: validation accuracy, for classifiers.
  ///   - seconds: training seconds of the epoch.
  public init(
    epoch: Int, loss: Double, accuracy: Double?, validationLoss: Double?,
    validationAccuracy: Double?, seconds: Double
  ) {
    self.epoch = epoch
    self.trainLoss = loss
    self.trainAccuracy = accuracy
    self.validationLoss = validationLoss
    self.validationAccuracy = validationAccuracy
    self.seconds = seconds
  }
}
