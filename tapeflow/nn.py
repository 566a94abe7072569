"""`tf.nn`: re-exports of the neural-network ops."""
from tapeflow.ops.conv import (atrous_conv2d, atrous_conv2d_transpose, conv1d,
                               conv1d_transpose, conv2d, conv2d_transpose, conv3d,
                               conv3d_transpose, conv_transpose, convolution)
from tapeflow.ops.depthwise import (depthwise_conv2d, depthwise_conv2d_backprop_filter,
                                    depthwise_conv2d_backprop_input, separable_conv2d)
from tapeflow.ops.layout import depth_to_space, space_to_depth
from tapeflow.ops.losses import (compute_average_loss, l2_loss, log_poisson_loss,
                                 scale_regularization_loss, sigmoid_cross_entropy_with_logits,
                                 softmax_cross_entropy_with_logits,
                                 sparse_softmax_cross_entropy_with_logits,
                                 weighted_cross_entropy_with_logits)
from tapeflow.ops.math import sigmoid, tanh
from tapeflow.ops.nn import (bias_add, crelu, elu, gelu, leaky_relu, log_softmax, relu, relu6,
                             selu, silu, softmax, softplus, softsign, swish)
from tapeflow.ops.normalization import (batch_normalization, dropout, embedding_lookup,
                                        l2_normalize, local_response_normalization, lrn,
                                        moments, normalize_moments, sufficient_statistics,
                                        weighted_moments, zero_fraction)
from tapeflow.ops.pooling import (avg_pool, avg_pool1d, avg_pool2d, avg_pool3d, max_pool,
                                  max_pool1d, max_pool2d, max_pool3d, max_pool_with_argmax,
                                  pool)
from tapeflow.ops.reduction import in_top_k, top_k

__all__ = [name for name in dir() if not name.startswith("_")]
