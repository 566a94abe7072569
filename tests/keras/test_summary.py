"""summary(): the exact text Keras 3.15 prints (expected strings captured from TF 2.21
with an 80-column terminal, `print_fn`), for Sequential, functional (with "Connected to"),
subclassed, nested and frozen models."""
import numpy as np
import pytest

import tapeflow as tf

keras = tf.keras
L = keras.layers

FUNCTIONAL_SHARED = """\
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ a (InputLayer)      │ (None, 8)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ input_layer         │ (None, 4)         │          0 │ -                 │
│ (InputLayer)        │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense (Dense)       │ (None, 4)         │         36 │ a[0][0],          │
│                     │                   │            │ dense_1[0][0]     │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense_1 (Dense)     │ (None, 8)         │         40 │ input_layer[0][0] │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ concatenate         │ (None, 8)         │          0 │ dense[0][0],      │
│ (Concatenate)       │                   │            │ input_layer[0][0] │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ out1 (Dense)        │ (None, 2)         │         18 │ concatenate[0][0] │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ add (Add)           │ (None, 4)         │          0 │ dense[1][0],      │
│                     │                   │            │ input_layer[0][0] │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 94 (376.00 B)
 Trainable params: 94 (376.00 B)
 Non-trainable params: 0 (0.00 B)
"""

SUBCLASSED_UNBUILT = """\
Model: "my_model"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ ?                      │   0 (unbuilt) │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ ?                      │   0 (unbuilt) │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 0 (0.00 B)
 Trainable params: 0 (0.00 B)
 Non-trainable params: 0 (0.00 B)
"""

SUBCLASSED_BUILT = """\
Model: "my_model"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (2, 3)                 │            18 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (2, 2)                 │             8 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 26 (104.00 B)
 Trainable params: 26 (104.00 B)
 Non-trainable params: 0 (0.00 B)
"""

EMPTY_SEQUENTIAL = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 0 (0.00 B)
 Trainable params: 0 (0.00 B)
 Non-trainable params: 0 (0.00 B)
"""

TINY = """\
Model: "tiny"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ input_layer (InputLayer)        │ (None, 28, 28, 1)      │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ conv2d (Conv2D)                 │ (None, 26, 26, 4)      │            40 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ global_average_pooling2d        │ (None, 4)              │             0 │
│ (GlobalAveragePooling2D)        │                        │               │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 2)              │            10 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 50 (200.00 B)
 Trainable params: 50 (200.00 B)
 Non-trainable params: 0 (0.00 B)
"""

TINY_TRAINABLE = """\
Model: "tiny"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓
┃ Layer (type)                ┃ Output Shape          ┃    Param # ┃ Trai… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩
│ input_layer (InputLayer)    │ (None, 28, 28, 1)     │          0 │   -   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ conv2d (Conv2D)             │ (None, 26, 26, 4)     │         40 │   Y   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ global_average_pooling2d    │ (None, 4)             │          0 │   -   │
│ (GlobalAveragePooling2D)    │                       │            │       │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ dense (Dense)               │ (None, 2)             │         10 │   Y   │
└─────────────────────────────┴───────────────────────┴────────────┴───────┘
 Total params: 50 (200.00 B)
 Trainable params: 50 (200.00 B)
 Non-trainable params: 0 (0.00 B)
"""

NESTED = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ inner (Sequential)              │ (None, 1)              │            11 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_2 (Dense)                 │ (None, 4)              │             8 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 19 (76.00 B)
 Trainable params: 19 (76.00 B)
 Non-trainable params: 0 (0.00 B)
"""

NESTED_EXPANDED = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ inner (Sequential)              │ (None, 1)              │            11 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│    └ dense (Dense)              │ (None, 2)              │             8 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│    └ dense_1 (Dense)            │ (None, 1)              │             3 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_2 (Dense)                 │ (None, 4)              │             8 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 19 (76.00 B)
 Trainable params: 19 (76.00 B)
 Non-trainable params: 0 (0.00 B)
"""

FROZEN_TRAINABLE = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓
┃ Layer (type)                ┃ Output Shape          ┃    Param # ┃ Trai… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩
│ dense (Dense)               │ (None, 3)             │         15 │   N   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ batch_normalization         │ (None, 3)             │         12 │   Y   │
│ (BatchNormalization)        │                       │            │       │
└─────────────────────────────┴───────────────────────┴────────────┴───────┘
 Total params: 27 (108.00 B)
 Trainable params: 6 (24.00 B)
 Non-trainable params: 21 (84.00 B)
"""

LSTM_STATES = """\
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ input_layer (InputLayer)        │ (None, 5, 3)           │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ lstm (LSTM)                     │ [(None, 2), (None, 2), │            48 │
│                                 │ (None, 2)]             │               │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 48 (192.00 B)
 Trainable params: 48 (192.00 B)
 Non-trainable params: 0 (0.00 B)
"""


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    keras.backend.clear_session()


def _summary(model, **kwargs):
    out = []
    model.summary(print_fn=out.append, **kwargs)
    assert len(out) == 1      # Keras 3 calls print_fn once with the whole table
    return out[0]


def test_functional_with_shared_layer_and_two_outputs():
    inp1 = keras.Input((8,), name="a")
    inp2 = keras.Input((4,))
    dense = L.Dense(4)
    x = L.Concatenate()([dense(inp1), inp2])
    x2 = dense(L.Dense(8)(inp2))
    out1 = L.Dense(2, name="out1")(x)
    out2 = L.Add()([x2, inp2])
    assert _summary(keras.Model([inp1, inp2], [out1, out2])) == FUNCTIONAL_SHARED


def test_subclassed_model_before_and_after_its_first_call():
    class MyModel(keras.Model):
        def __init__(self):
            super().__init__()
            self.d1 = L.Dense(3)
            self.d2 = L.Dense(2)

        def call(self, x, training=False):
            return self.d2(self.d1(x))

    model = MyModel()
    assert _summary(model) == SUBCLASSED_UNBUILT
    model(np.ones((2, 5)))
    assert _summary(model) == SUBCLASSED_BUILT


def test_empty_sequential():
    assert _summary(keras.Sequential()) == EMPTY_SEQUENTIAL


def test_sequential_like_functional_and_show_trainable():
    inputs = keras.Input((28, 28, 1))
    x = L.Conv2D(4, 3)(inputs)
    x = L.GlobalAveragePooling2D()(x)
    outputs = L.Dense(2, activation="softmax")(x)
    model = keras.Model(inputs, outputs, name="tiny")
    assert _summary(model) == TINY
    assert _summary(model, show_trainable=True) == TINY_TRAINABLE


def test_nested_sequential_and_expand_nested():
    inner = keras.Sequential([keras.Input((3,)), L.Dense(2), L.Dense(1)], name="inner")
    outer = keras.Sequential([keras.Input((3,)), inner, L.Dense(4)])
    assert _summary(outer) == NESTED
    assert _summary(outer, expand_nested=True) == NESTED_EXPANDED


def test_frozen_layer_counts_as_non_trainable():
    model = keras.Sequential([keras.Input((4,)), L.Dense(3), L.BatchNormalization()])
    model.layers[0].trainable = False
    assert _summary(model, show_trainable=True) == FROZEN_TRAINABLE


def test_multiple_outputs_are_listed():
    inputs = keras.Input((5, 3))
    outputs = L.LSTM(2, return_state=True)(inputs)
    assert _summary(keras.Model(inputs, outputs)) == LSTM_STATES


def test_summary_prints_to_stdout_without_print_fn(capsys):
    keras.Sequential().summary()
    assert capsys.readouterr().out == EMPTY_SEQUENTIAL


def test_insufficient_width():
    with pytest.raises(ValueError, match="Insufficient console width to print summary."):
        keras.Sequential([keras.Input((3,)), L.Dense(2)]).summary(line_length=5)
