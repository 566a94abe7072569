"""Converting functions: source in, converted function out (cached per code object)."""
import ast
import functools
import inspect
import logging
import sys
import sysconfig
import textwrap
import types

from tapeflow.graph.autograph import operators
from tapeflow.graph.autograph.transformer import AG, transform

_log = logging.getLogger("tapeflow")
_cache = {}            # code object -> converted code object (or None: cannot convert)
_DO_NOT_CONVERT = "__tapeflow_do_not_convert__"
_LIBRARY_PREFIXES = ("tapeflow", "numpy", "builtins", "functools", "collections", "typing",
                     "abc", "inspect", "threading", "itertools", "contextlib", "enum")
_STDLIB = sysconfig.get_paths().get("stdlib", "\0")
_warned = set()


class _AgModule(types.SimpleNamespace):
    """The `ag__` namespace converted code sees."""


def _ag_namespace():
    ns = _AgModule()
    for name in operators.__all__:
        setattr(ns, name, getattr(operators, name))
    ns.converted_call = converted_call
    ns.retval = _retval
    return ns


_AG_NAMESPACE = None


def _retval(value):
    return None if isinstance(value, operators.UndefinedReturnValue) else value


def do_not_convert(func=None):
    """Decorator: AutoGraph leaves `func` (and its calls) unconverted."""
    if func is None:
        return do_not_convert
    setattr(func, _DO_NOT_CONVERT, True)
    return func


def tf_convert(func, ctx=None, convert_by_default=True):
    return convert(func)


def convert(func):
    """The AutoGraph-converted version of `func`, or `func` itself if it cannot be converted."""
    if getattr(func, _DO_NOT_CONVERT, False):
        return func
    if isinstance(func, types.MethodType):
        converted = convert(func.__func__)
        return func if converted is func.__func__ else types.MethodType(converted,
                                                                        func.__self__)
    if isinstance(func, functools.partial):
        converted = convert(func.func)
        return func if converted is func.func else functools.partial(converted, *func.args,
                                                                     **func.keywords)
    if not isinstance(func, types.FunctionType) or func.__name__ == "<lambda>":
        return func
    code = _converted_code(func)
    if code is None:
        return func
    closure = _closure_for(code, func)
    new = types.FunctionType(code, func.__globals__, func.__name__, func.__defaults__, closure)
    new.__kwdefaults__ = func.__kwdefaults__
    new.__dict__.update(func.__dict__)
    new.__wrapped__ = func
    new.__doc__ = func.__doc__
    return new


def _converted_code(func):
    key = func.__code__
    if key in _cache:
        return _cache[key]
    try:
        code = _convert_source(func)
    except Exception as error:   # unconvertible: run the function as it is, as TF does
        if key not in _warned:
            _warned.add(key)
            _log.warning("AutoGraph could not transform %s and will run it as-is. Cause: %s",
                         func, error)
        code = None
    _cache[key] = code
    return code


def _convert_source(func):
    # The source of this very code object: `inspect.getsource(func)` would follow a
    # decorator's `__wrapped__` to the decorated function, whose globals differ.
    source = textwrap.dedent(inspect.getsource(func.__code__))
    module = ast.parse(source)
    fdef = next(n for n in module.body if isinstance(n, (ast.FunctionDef,)))
    if any(isinstance(n, (ast.Yield, ast.YieldFrom, ast.Await)) for n in ast.walk(fdef)):
        raise ValueError("generators and coroutines are not converted")
    transform(fdef)
    freevars = list(func.__code__.co_freevars)
    params = [AG] + [v for v in freevars if v != "__class__"]
    if "__class__" in freevars or _uses_super(fdef):
        params.append("__class__")
    factory = ast.FunctionDef(
        name=f"{AG}factory",
        args=ast.arguments(posonlyargs=[], args=[ast.arg(arg=p) for p in params], vararg=None,
                           kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]),
        body=[fdef, ast.Return(value=ast.Name(id=fdef.name, ctx=ast.Load()))],
        decorator_list=[], returns=None)
    wrapper = ast.Module(body=[factory], type_ignores=[])
    ast.fix_missing_locations(wrapper)
    filename = f"<autograph {func.__module__}.{func.__qualname__}>"
    source = ast.unparse(wrapper)   # compiled from text, so tracebacks show the right lines
    compiled = compile(source, filename, "exec")
    factory_code = next(c for c in compiled.co_consts if isinstance(c, types.CodeType))
    inner = next(c for c in factory_code.co_consts if isinstance(c, types.CodeType)
                 and c.co_name == fdef.name)
    _register_source(filename, source)
    return inner


def _uses_super(fdef):
    return any(isinstance(n, ast.Name) and n.id == "super" for n in ast.walk(fdef))


def _register_source(filename, source):
    import linecache
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


def _closure_for(code, func):
    global _AG_NAMESPACE
    if _AG_NAMESPACE is None:
        _AG_NAMESPACE = _ag_namespace()
    original = dict(zip(func.__code__.co_freevars, func.__closure__ or ()))
    cells = []
    for name in code.co_freevars:
        if name == AG:
            cells.append(types.CellType(_AG_NAMESPACE))
        elif name in original:
            cells.append(original[name])
        elif name == "__class__":
            cells.append(types.CellType(None))
        else:
            raise ValueError(f"free variable {name!r} of the converted code is unknown")
    return tuple(cells)


def converted_call(func, args, kwargs):
    """Calls `func`, converting it first if it is user code (so its control flow converts)."""
    kwargs = kwargs or {}
    if _is_user_function(func):
        func = convert(func)
    return func(*args, **kwargs)


def _is_user_function(func):
    target = func.__func__ if isinstance(func, types.MethodType) else func
    if not isinstance(target, types.FunctionType) or target.__name__ == "<lambda>":
        return False
    if getattr(target, _DO_NOT_CONVERT, False):
        return False
    module = target.__module__ or ""
    if module.startswith(_LIBRARY_PREFIXES):
        return False
    filename = target.__code__.co_filename
    return not (filename.startswith(_STDLIB) or "site-packages" in filename
                or filename.startswith("<"))


def to_code(func):
    """The converted source of `func` (for reading and debugging)."""
    source = textwrap.dedent(inspect.getsource(func))
    module = ast.parse(source)
    fdef = next(n for n in module.body if isinstance(n, ast.FunctionDef))
    transform(fdef)
    ast.fix_missing_locations(module)
    return ast.unparse(module)


__all__ = ["convert", "converted_call", "do_not_convert", "tf_convert", "to_code", "sys"]
