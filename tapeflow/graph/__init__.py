"""Tracing `function`: the graph IR, its passes, code generation and the trace cache."""
