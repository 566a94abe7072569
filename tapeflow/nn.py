"""`tf.nn`: re-exports of the neural-network ops."""
from tapeflow.ops.conv import (conv1d, conv1d_transpose, conv2d, conv2d_transpose,
                               convolution)
from tapeflow.ops.losses import (compute_average_loss, l2_loss, scale_regularization_loss,
                                 sigmoid_cross_entropy_with_logits,
                                 softmax_cross_entropy_with_logits,
                                 sparse_softmax_cross_entropy_with_logits,
                                 weighted_cross_entropy_with_logits)
from tapeflow.ops.math import sigmoid, tanh
from tapeflow.ops.pooling import (avg_pool, avg_pool1d, avg_pool2d, max_pool, max_pool1d,
                                  max_pool2d, pool)
from tapeflow.ops.nn import (batch_normalization, bias_add, crelu, dropout, elu, l2_normalize,
                             leaky_relu, log_softmax, moments, relu, relu6, selu, silu,
                             softmax, softplus, softsign, swish)

__all__ = [name for name in dir() if not name.startswith("_")]
