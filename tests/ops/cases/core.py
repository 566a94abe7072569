"""Cases for the ops defined in core and graph: variable reads, gradient plumbing."""
import numpy as np

import tapeflow as tf
from tapeflow.ops._grad_util import sum_to_shape
from tests.ops.cases import Case, inputs, normal

CASES = [
    Case("SumToShape", lambda g, like: sum_to_shape(g, like),
         inputs(normal(4, 2, 3), normal(1, 3)),
         lambda g, like: g.sum(axis=(0, 1), keepdims=True)[0], wrt=(0,)),
]

CASES.append(Case("CheckNumerics", lambda x: tf.debugging.check_numerics(x, "bad"),
                  inputs(normal(2, 3)), lambda x: x, order=2))

EXEMPT = {
    "Assert": "tests/core/test_debugging.py (eager and traced assertions)",
    "ReadVariableOp": "tests/core/test_tape.py (gradients w.r.t. variables)",
    "AssignVariableOp": "tests/core/test_variable.py (assign semantics, eager and traced)",
    "AssignAddVariableOp": "tests/core/test_variable.py",
    "AssignSubVariableOp": "tests/core/test_variable.py",
    "CustomGradient": "tests/core/test_tape.py (custom_gradient)",
    "Const": "tests/graph/test_ir.py (captured eager tensors)",
    "Placeholder": "tests/graph/test_ir.py (function arguments)",
    "If": "tests/graph/test_control_flow.py (values, gradients vs finite differences)",
    "StatelessIf": "tests/graph/test_control_flow.py",
    "While": "tests/graph/test_control_flow.py (stateful loop bodies)",
    "StatelessWhile": "tests/graph/test_control_flow.py (values, gradients vs finite differences)",
    "WhileGrad": "tests/graph/test_control_flow.py (the gradient of While)",
    "PrintV2": "tests/graph/test_control_flow.py (printing on every call)",
    "TensorListFromTensors": "tests/graph/test_tensor_array.py (TensorArray in traced loops)",
    "TensorListSetItem": "tests/graph/test_tensor_array.py",
    "TensorListGetItem": "tests/graph/test_tensor_array.py",
    "TensorListStack": "tests/graph/test_tensor_array.py",
    "TensorListLength": "tests/graph/test_tensor_array.py",
    "EagerPyFunc": "tests/graph/test_py_function.py (eager and traced calls)",
    "DatasetFor": "tests/graph/test_autograph.py (for x in dataset inside tf.function)",
    "_FusedElementwise": "tests/graph/test_fuse_elementwise.py (every scalar op bit for bit "
                         "against its unfused kernel; fused train steps equal unfused ones)",
}
