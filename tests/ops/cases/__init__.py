"""Test cases for every registered op, gathered from one module per op family.

A Case calls an op through the public API (`fn`), says how to make inputs, and
gives an independent NumPy reference. The registry test (test_registry.py)
runs every case for values, dtypes, gradients (float64 central differences) and
shape rules, and fails for any registered op without a case.
"""
import dataclasses
import importlib
from typing import Any, Callable, Optional

import numpy as np

# One module per op family; each defines CASES (a list of Case) and may define
# EXEMPT (op name -> where it is tested instead, for ops a Case cannot express).
FAMILIES = ("math", "array", "core", "nn", "random", "image", "linalg", "bitwise", "summary",
            "distribute", "core_api", "strings", "io", "signal", "sparse", "fused")


@dataclasses.dataclass(frozen=True)
class Case:
    """One way of calling one op, with inputs and a NumPy reference.

    Attributes:
      op: the registered op name this case exercises.
      fn: calls the public API on tensors: fn(*tensors) -> tensor or list of tensors.
      inputs: makes the inputs from a NumPy Generator: a list of arrays. Float arrays
        are cast to each dtype in `dtypes` for value checks and to float64 for
        gradient checks; other arrays are passed unchanged.
      reference: NumPy formula on the same arrays; must return the TF dtype too.
      dtypes: float dtypes for the value check.
      wrt: indices of inputs to differentiate (default: every float input).
      grad: check gradients (False for ops without a gradient).
      order: 2 to also check second derivatives.
      rtol, atol: value tolerances for float32 (float64 uses 1e-12-ish, float16 1e-2).
      label: distinguishes several cases of one op in test ids.
    """

    op: str
    fn: Callable[..., Any]
    inputs: Callable[[np.random.Generator], list]
    reference: Callable[..., Any]
    dtypes: tuple = ("float32", "float64")
    wrt: Optional[tuple] = None
    grad: bool = True
    order: int = 1
    rtol: float = 1e-5
    atol: float = 1e-6
    grad_rtol: float = 1e-5
    grad_atol: float = 1e-6
    label: str = ""

    @property
    def id(self):
        return f"{self.op}-{self.label}" if self.label else self.op


def all_cases():
    cases = []
    for family in FAMILIES:
        cases.extend(importlib.import_module(f"tests.ops.cases.{family}").CASES)
    return cases


def all_exempt():
    exempt = {}
    for family in FAMILIES:
        exempt.update(getattr(importlib.import_module(f"tests.ops.cases.{family}"), "EXEMPT", {}))
    return exempt


# -- input makers shared by families ---------------------------------------------------

def normal(*shape):
    return lambda rng: rng.standard_normal(shape)


def uniform(low, high, *shape):
    return lambda rng: rng.uniform(low, high, shape)


def away_from(points, *shape, margin=0.1):
    """Normal values kept at least `margin` away from the kinks in `points`."""
    def make(rng):
        x = rng.standard_normal(shape)
        for p in points:
            close = np.abs(x - p) < margin
            x[close] = p + np.sign(x[close] - p + 1e-12) * margin * 2
        return x
    return make


def inputs(*makers):
    """Combines per-input makers into an `inputs` function."""
    return lambda rng: [make(rng) for make in makers]


def const(value):
    return lambda rng: np.asarray(value)
