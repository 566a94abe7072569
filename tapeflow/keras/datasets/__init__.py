"""`tf.keras.datasets`: the small data sets Keras users expect (MNIST, Fashion-MNIST)."""
from tapeflow.keras.datasets import fashion_mnist, mnist

__all__ = ["fashion_mnist", "mnist"]
