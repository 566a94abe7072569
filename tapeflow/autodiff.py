"""`tf.autodiff`: GradientTape (reverse mode) and ForwardAccumulator (JVPs)."""
from tapeflow.core.forward_accumulator import ForwardAccumulator
from tapeflow.core.tape import GradientTape

__all__ = ["ForwardAccumulator", "GradientTape"]
