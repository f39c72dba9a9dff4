/// CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78), the checksum of iSCSI,
/// ext4 and LevelDB, which model files and checkpoints keep per tensor and for their header.
/// Table-driven, eight bytes a step ("slicing-by-8", Kounavis & Berry 2008).
public enum CRC32C {
  private static let tables: [[UInt32]] = {
    var tables = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
    for n in 0..<256 {
      var c = UInt32(n)
      for _ in 0..<8 { c = c & 1 != 0 ? 0x82F6_3B78 ^ (c >> 1) : c >> 1 }
      tables[0][n] = c
    }
    for n in 0..<256 {
      for k in 1..<8 { tables[k][n] = (tables[k - 1][n] >> 8) ^ tables[0][Int(tables[k - 1][n] & 0xFF)] }
    }
    return tables
  }()

  /// The checksum of `bytes`, continuing from `crc` (0 to start).
  /// - Parameters:
  ///   - bytes: the data.
  ///   - crc: the checksum of the data before these bytes.
  public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
    var c = ~crc
    var i = 0
    let count = bytes.count
    tables.withUnsafeBufferPointer { t in
      let (t0, t1, t2, t3) = (t[0], t[1], t[2], t[3])
      let (t4, t5, t6, t7) = (t[4], t[5], t[6], t[7])
      while i + 8 <= count {
        let low = c ^ (UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16
          | UInt32(bytes[i + 3]) << 24)
        c = t7[Int(low & 0xFF)] ^ t6[Int((low >> 8) & 0xFF)] ^ t5[Int((low >> 16) & 0xFF)]
          ^ t4[Int(low >> 24)] ^ t3[Int(bytes[i + 4])] ^ t2[Int(bytes[i + 5])]
          ^ t1[Int(bytes[i + 6])] ^ t0[Int(bytes[i + 7])]
        i += 8
      }
      while i < count {
        c = t0[Int((c ^ UInt32(bytes[i])) & 0xFF)] ^ (c >> 8)
        i += 1
      }
    }
    return ~c
  }
}
