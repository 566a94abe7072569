"""`tf.keras.layers`: every layer class, plus `Input`, `InputSpec` and the `Layer` base."""
from tapeflow.keras import _registry
from tapeflow.keras.layers.activations import ELU, LeakyReLU, PReLU, ReLU, Softmax
from tapeflow.keras.layers.attention import MultiHeadAttention
from tapeflow.keras.layers.base import Layer
from tapeflow.keras.layers.convolutional import (Conv1D, Conv2D, Conv2DTranspose,
                                                 DepthwiseConv2D, SeparableConv2D)
from tapeflow.keras.layers.core import (Activation, Dense, Embedding, Identity, Lambda, Masking,
                                       Rescaling)
from tapeflow.keras.layers.input import Input, InputLayer
from tapeflow.keras.layers.input_spec import InputSpec
from tapeflow.keras.layers.merging import (Add, Average, Concatenate, Maximum, Minimum,
                                           Multiply, Subtract, add, average, concatenate,
                                           maximum, minimum, multiply, subtract)
from tapeflow.keras.layers.normalization import BatchNormalization, LayerNormalization
from tapeflow.keras.layers.pooling import (AveragePooling1D, AveragePooling2D, AvgPool1D,
                                           AvgPool2D, GlobalAveragePooling1D,
                                           GlobalAveragePooling2D, GlobalAvgPool1D,
                                           GlobalAvgPool2D, GlobalMaxPool1D, GlobalMaxPool2D,
                                           GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPool1D,
                                           MaxPool2D, MaxPooling1D, MaxPooling2D)
from tapeflow.keras.layers.recurrent import (GRU, LSTM, RNN, Bidirectional, GRUCell, LSTMCell,
                                             SimpleRNN, SimpleRNNCell)
from tapeflow.keras.layers.regularization import (Dropout, GaussianNoise, SpatialDropout1D,
                                                  SpatialDropout2D)
from tapeflow.keras.layers.reshaping import (Cropping2D, Flatten, Permute, RepeatVector,
                                             Reshape, UpSampling2D, ZeroPadding2D)

Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution2DTranspose = Conv2DTranspose
Conv2DTranspose = Conv2DTranspose
SeparableConvolution2D = SeparableConv2D


def _register_layers(namespace):
    for name, value in list(namespace.items()):
        if isinstance(value, type) and issubclass(value, Layer):
            _registry.register("layer", name)(value)


_register_layers(dict(globals()))
