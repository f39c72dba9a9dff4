import KMSLang

print("kms \(kmsVersion)")
