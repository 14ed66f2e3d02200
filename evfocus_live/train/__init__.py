"""Training and evaluation: dataset over simulated .h5 sequences, losses, trainer, metrics."""
