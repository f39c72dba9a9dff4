/// The ten KMNIST classes, romanized (Clanuwat et al. 2018): お o, き ki, す su, つ tsu, な na,
/// は ha, ま ma, や ya, れ re, を wo. Romanized because the plot font is ASCII.
public let kmnistClassNames = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]

/// Fashion-MNIST's ten classes (Xiao, Rasul & Vollgraf 2017).
public let fashionClassNames = [
  "T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
  "Ankle boot",
]
