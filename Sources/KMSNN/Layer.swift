import KMSTensor
