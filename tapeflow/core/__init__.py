"""The engine: dtypes, Tensor, Variable, the op registry and apply(), GradientTape.

Nothing in `core` imports from a tapeflow layer above it.
"""
