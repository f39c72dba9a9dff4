"""The paper's CNN in PyTorch, shared by scripts/bench-pytorch.py (speed) and
scripts/cnn-reference.py (accuracy), so both measure the same network."""

import torch


def cnn(generator):
    """The paper's CNN, 4,680,730 parameters, Glorot-uniform weights and zero biases as Keras."""
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(),
        torch.nn.Conv2d(32, 112, 3), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2), torch.nn.Dropout(0.45), torch.nn.Flatten(),
        torch.nn.Linear(16128, 288), torch.nn.ReLU(), torch.nn.Dropout(0.4),
        torch.nn.Linear(288, 10))
    for layer in model:
        if isinstance(layer, (torch.nn.Conv2d, torch.nn.Linear)):
            torch.nn.init.xavier_uniform_(layer.weight, generator=generator)
            torch.nn.init.zeros_(layer.bias)
    assert sum(p.numel() for p in model.parameters()) == 4_680_730
    return model
