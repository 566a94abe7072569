"""`tf.nn`: re-exports of the neural-network ops."""
from tapeflow.ops.conv import (conv1d, conv1d_transpose, conv2d, conv2d_transpose,
                               convolution)
from tapeflow.ops.math import sigmoid, tanh
from tapeflow.ops.nn import (bias_add, crelu, elu, leaky_relu, log_softmax, relu, relu6, selu,
                             silu, softmax, softplus, softsign, swish)

__all__ = [name for name in dir() if not name.startswith("_")]
