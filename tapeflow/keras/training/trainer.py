"""The Trainer mixin of `Model`: compile/fit/evaluate/predict live here.

`Model` (keras/models/model.py) inherits from `Trainer` and calls
`Trainer.__init__(self)` first thing in its constructor, so the training
part of Keras can keep its state (optimizer, compiled loss and metrics,
`stop_training`, ...) on the model without touching the model classes.
This stub holds only what the model classes read: `compiled` and `optimizer`
(summary() reports an optimizer's parameters once it is built).
"""


class Trainer:
    """Mixin for Model: training and evaluation loops (filled in by the training APIs)."""

    def __init__(self):
        self.compiled = False
        self.optimizer = None
