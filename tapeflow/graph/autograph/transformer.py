"""The source transformation of AutoGraph, in four passes over a function's AST.

1. Returns: a `return` inside an `if` moves the rest of the block into the other
   branch (so both branches end in a return); a `return` inside a loop sets
   `ag__do_return`/`ag__retval` and breaks. Then every return assigns
   `ag__retval`, and the function ends with one `return`.
2. `break` and `continue` become flags; the statements after them are guarded
   by `if not flag:`, and a break flag joins the loop's condition.
3. `if`, `while` and `for` become nested functions plus a call to
   `ag__.if_stmt`/`while_stmt`/`for_stmt`, with get/set functions over the
   variables the statement assigns (declared `nonlocal`).
4. `and`, `or`, `not`, `x if c else y` become `ag__` calls, and calls to user
   functions go through `ag__.converted_call` (so they are converted too).
"""
import ast
import itertools

AG = "ag__"


class Names:
    """Fresh names for generated functions and flags."""

    def __init__(self):
        self._counter = itertools.count()

    def new(self, stem):
        return f"{AG}{stem}_{next(self._counter)}"


def _name(id_, ctx=None):
    return ast.Name(id=id_, ctx=ctx or ast.Load())


def _ag_call(func, args, keywords=()):
    return ast.Call(func=ast.Attribute(value=_name(AG), attr=func, ctx=ast.Load()),
                    args=list(args), keywords=list(keywords))


def _assign(target, value):
    return ast.Assign(targets=[_name(target, ast.Store())], value=value)


def _lambda(body):
    return ast.Lambda(args=ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[],
                                         kw_defaults=[], kwarg=None, defaults=[]), body=body)


def _not(expr):
    return _ag_call("not_", [expr])


# ================================================================================
# Analysis
# ================================================================================

class _AssignedNames(ast.NodeVisitor):
    """Names bound in a list of statements (not inside nested functions or classes)."""

    def __init__(self):
        self.names = []

    def _add(self, name):
        if name not in self.names:
            self.names.append(name)

    def visit_Name(self, node):
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self._add(node.id)

    def visit_FunctionDef(self, node):
        self._add(node.name)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self._add(node.name)

    def visit_Lambda(self, node):
        pass

    def _comprehension(self, node):
        pass   # comprehension variables do not leak in Python 3

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def visit_Global(self, node):
        pass

    def visit_Import(self, node):
        for alias in node.names:
            self._add((alias.asname or alias.name).split(".")[0])

    visit_ImportFrom = visit_Import


def assigned_names(statements):
    visitor = _AssignedNames()
    for statement in statements:
        visitor.visit(statement)
    return [n for n in visitor.names if n != AG]


class _Contains(ast.NodeVisitor):
    """Whether statements contain a node type, not looking into nested functions (or loops)."""

    def __init__(self, kinds, into_loops):
        self.kinds = kinds
        self.into_loops = into_loops
        self.found = False

    def generic_visit(self, node):
        if isinstance(node, self.kinds):
            self.found = True
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            return
        if not self.into_loops and isinstance(node, (ast.For, ast.While)):
            return
        super().generic_visit(node)


def contains(statements, kinds, into_loops=True):
    visitor = _Contains(kinds, into_loops)
    for statement in statements if isinstance(statements, list) else [statements]:
        visitor.visit(statement)
        if visitor.found:
            return True
    return False


def _always_returns(statements):
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, ast.Return):
        return True
    if isinstance(last, ast.If):
        return _always_returns(last.body) and _always_returns(last.orelse)
    return False


# ================================================================================
# Pass 1: returns
# ================================================================================

class ReturnConverter:
    """Rewrites every `return` into an assignment of `ag__retval` (see module docstring)."""

    RETVAL = f"{AG}retval"
    DO_RETURN = f"{AG}do_return"

    def convert(self, fdef):
        needs_flag = any(contains(loop.body, (ast.Return,))
                         for loop in ast.walk(fdef) if isinstance(loop, (ast.For, ast.While)))
        fdef.body = self._block(fdef.body, in_loop=False)
        fdef.body = self._normalize(fdef.body)
        fdef.body = self._assign_returns(fdef.body)
        init = [_assign(self.RETVAL, _ag_call("UndefinedReturnValue", []))]
        if needs_flag:
            init.append(_assign(self.DO_RETURN, ast.Constant(False)))
        fdef.body = init + fdef.body + [ast.Return(value=_ag_call("retval", [_name(self.RETVAL)]))]

    def _block(self, statements, in_loop):
        """Returns inside loops: set the flag and break; check the flag after the loop."""
        out = []
        for statement in statements:
            if isinstance(statement, (ast.For, ast.While)):
                has_return = contains(statement.body, (ast.Return,))
                statement.body = self._block(statement.body, in_loop=True)
                statement.orelse = self._block(statement.orelse, in_loop)
                out.append(statement)
                if has_return:
                    then = [ast.Break()] if in_loop else [
                        ast.Return(value=_name(self.RETVAL))]
                    out.append(ast.If(test=_name(self.DO_RETURN), body=then, orelse=[]))
                continue
            if in_loop and isinstance(statement, ast.Return):
                out.extend([_assign(self.RETVAL, statement.value or ast.Constant(None)),
                            _assign(self.DO_RETURN, ast.Constant(True)), ast.Break()])
                continue
            for field in ("body", "orelse", "finalbody"):
                if hasattr(statement, field) and isinstance(getattr(statement, field), list) \
                        and not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                       ast.ClassDef)):
                    setattr(statement, field, self._block(getattr(statement, field), in_loop))
            if isinstance(statement, ast.Try):
                for handler in statement.handlers:
                    handler.body = self._block(handler.body, in_loop)
            out.append(statement)
        return out

    def _normalize(self, statements):
        """After an `if` with a returning branch, the rest of the block joins the other branch."""
        out = []
        for i, statement in enumerate(statements):
            if isinstance(statement, ast.If):
                rest = statements[i + 1:]
                body_returns = _always_returns(statement.body)
                else_returns = _always_returns(statement.orelse)
                if rest and body_returns and not else_returns:
                    statement.orelse = statement.orelse + rest
                    rest = []
                elif rest and else_returns and not body_returns:
                    statement.body = statement.body + rest
                    rest = []
                statement.body = self._normalize(statement.body)
                statement.orelse = self._normalize(statement.orelse)
                out.append(statement)
                if not rest:
                    return out
                continue
            if isinstance(statement, (ast.For, ast.While)):
                statement.body = self._normalize(statement.body)
            out.append(statement)
            if isinstance(statement, ast.Return):
                return out   # anything after is dead code
        return out

    def _assign_returns(self, statements):
        out = []
        for statement in statements:
            if isinstance(statement, ast.Return):
                out.append(_assign(self.RETVAL, statement.value or ast.Constant(None)))
                continue
            if isinstance(statement, (ast.If, ast.For, ast.While, ast.With, ast.Try)):
                for field in ("body", "orelse", "finalbody"):
                    if isinstance(getattr(statement, field, None), list):
                        setattr(statement, field, self._assign_returns(getattr(statement, field)))
                if isinstance(statement, ast.Try):
                    for handler in statement.handlers:
                        handler.body = self._assign_returns(handler.body)
            out.append(statement)
        return out


# ================================================================================
# Pass 2: break and continue
# ================================================================================

class LoopFlags:
    """Rewrites `break`/`continue` of each loop into flags (innermost loops first)."""

    def __init__(self, names):
        self.names = names

    def convert(self, statements):
        out = []
        for statement in statements:
            if isinstance(statement, (ast.For, ast.While)):
                out.extend(self._loop(statement))
                continue
            for field in ("body", "orelse", "finalbody"):
                value = getattr(statement, field, None)
                if isinstance(value, list) and not isinstance(
                        statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    setattr(statement, field, self.convert(value))
            out.append(statement)
        return out

    def _loop(self, loop):
        loop.body = self.convert(loop.body)
        before = []
        has_break = contains(loop.body, (ast.Break,), into_loops=False)
        has_continue = contains(loop.body, (ast.Continue,), into_loops=False)
        if has_continue:
            flag = self.names.new("continue")
            loop.body = [_assign(flag, ast.Constant(False))] + _guard(
                loop.body, ast.Continue, flag)
        after = []
        if has_break:
            flag = self.names.new("break")
            before.append(_assign(flag, ast.Constant(False)))
            loop.body = _guard(loop.body, ast.Break, flag)
            loop.ag_break_flag = flag
            if loop.orelse:
                after = [ast.If(test=_not(_name(flag)), body=loop.orelse, orelse=[])]
                loop.orelse = []
        elif loop.orelse:
            after = loop.orelse
            loop.orelse = []
        return before + [loop] + after


def _guard(statements, kind, flag):
    """Replaces `kind` statements by `flag = True` and guards what follows them."""
    out = []
    for i, statement in enumerate(statements):
        if isinstance(statement, kind):
            out.append(_assign(flag, ast.Constant(True)))
            return out   # the rest of this block never runs
        if contains([statement], (kind,), into_loops=False):
            for field in ("body", "orelse", "finalbody"):
                value = getattr(statement, field, None)
                if isinstance(value, list):
                    setattr(statement, field, _guard(value, kind, flag))
            if isinstance(statement, ast.Try):
                for handler in statement.handlers:
                    handler.body = _guard(handler.body, kind, flag)
            out.append(statement)
            rest = statements[i + 1:]
            if rest:
                out.append(ast.If(test=_not(_name(flag)), body=_guard(rest, kind, flag),
                                  orelse=[]))
            return out
        out.append(statement)
    return out


# ================================================================================
# Pass 3: if / while / for
# ================================================================================

class ControlFlow(ast.NodeTransformer):
    """Turns statements into ag__ operator calls over nested functions (bottom-up)."""

    def __init__(self, names, global_names, nonlocal_names):
        self.names = names
        self.global_names = global_names
        self.nonlocal_names = nonlocal_names
        self.state_names = set()

    def visit_FunctionDef(self, node):
        return node   # nested functions are converted when called (converted_call)

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_ClassDef = visit_FunctionDef

    def visit_If(self, node):
        state = _state(node.body + node.orelse)   # before nested statements become defs
        self.generic_visit(node)
        true_fn, false_fn = self.names.new("if_true"), self.names.new("if_false")
        defs = [self._function(true_fn, [], node.body, state),
                self._function(false_fn, [], node.orelse, state)]
        defs += self._state_functions(state)
        call = ast.Expr(_ag_call("if_stmt", [node.test, _name(true_fn), _name(false_fn),
                                             *self._state_args(state)]))
        return defs + [call]

    def visit_While(self, node):
        state = _state(node.body)
        self.generic_visit(node)
        test_fn, body_fn = self.names.new("loop_test"), self.names.new("loop_body")
        test = node.test
        flag = getattr(node, "ag_break_flag", None)
        if flag is not None:
            test = _ag_call("and_", [_lambda(_not(_name(flag))), _lambda(test)])
        defs = [ast.FunctionDef(name=test_fn, args=_no_args(), body=[ast.Return(value=test)],
                                decorator_list=[], returns=None, type_params=[]),
                self._function(body_fn, [], node.body, state)]
        defs += self._state_functions(state)
        call = ast.Expr(_ag_call("while_stmt", [_name(test_fn), _name(body_fn),
                                                *self._state_args(state)]))
        return defs + [call]

    def visit_For(self, node):
        item = self.names.new("item")
        state = _state([ast.Assign(targets=[node.target], value=_name(item))] + node.body)
        self.generic_visit(node)
        body = [ast.Assign(targets=[node.target], value=_name(item))] + node.body
        body_fn = self.names.new("for_body")
        flag = getattr(node, "ag_break_flag", None)
        extra = ast.Constant(None) if flag is None else _lambda(_not(_name(flag)))
        iterable = node.iter
        if (isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name)
                and iterable.func.id == "range"):
            iterable = _ag_call("range_", iterable.args)
        defs = [self._function(body_fn, [item], body, state)]
        defs += self._state_functions(state)
        call = ast.Expr(_ag_call("for_stmt", [iterable, extra, _name(body_fn),
                                              *self._state_args(state)]))
        return defs + [call]

    # -- helpers ------------------------------------------------------------------------
    def _scope_declarations(self, state):
        declarations = []
        local = [n for n in state if n not in self.global_names]
        globals_ = [n for n in state if n in self.global_names]
        if local:
            declarations.append(ast.Nonlocal(names=local))
        if globals_:
            declarations.append(ast.Global(names=globals_))
        return declarations

    def _function(self, name, params, body, state):
        self.state_names.update(n for n in state if n not in self.global_names)
        return ast.FunctionDef(
            name=name, args=_args(params),
            body=self._scope_declarations(state) + (body or [ast.Pass()]),
            decorator_list=[], returns=None, type_params=[])

    def _state_functions(self, state):
        get_fn, set_fn = f"{AG}get_state", f"{AG}set_state"
        getter = ast.FunctionDef(
            name=get_fn, args=_no_args(),
            body=[ast.Return(value=ast.Tuple(elts=[_name(n) for n in state], ctx=ast.Load()))],
            decorator_list=[], returns=None, type_params=[])
        values = f"{AG}values"
        set_body = self._scope_declarations(state)
        if state:
            set_body.append(ast.Assign(
                targets=[ast.Tuple(elts=[_name(n, ast.Store()) for n in state],
                                   ctx=ast.Store())], value=_name(values)))
        else:
            set_body.append(ast.Pass())
        setter = ast.FunctionDef(name=set_fn, args=_args([values]), body=set_body,
                                 decorator_list=[], returns=None, type_params=[])
        return [getter, setter]

    def _state_args(self, state):
        return [_name(f"{AG}get_state"), _name(f"{AG}set_state"),
                ast.Tuple(elts=[ast.Constant(n) for n in state], ctx=ast.Load())]


def _state(statements):
    """The variables a statement assigns: its loop/branch state (generated names excluded)."""
    return [n for n in assigned_names(statements) if not n.startswith(AG) or
            n.startswith((f"{AG}break", f"{AG}continue", f"{AG}retval", f"{AG}do_return"))]


def _no_args():
    return _args([])


def _args(names):
    return ast.arguments(posonlyargs=[], args=[ast.arg(arg=n) for n in names], vararg=None,
                         kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])


# ================================================================================
# Pass 4: expressions
# ================================================================================

_NOT_CONVERTED_CALLS = {"super", "locals", "globals", "vars", "eval", "exec", "isinstance",
                        "issubclass", "len", "print", "range", "getattr", "setattr", "hasattr",
                        "type", "id", "callable", "iter", "next", "zip", "enumerate", "list",
                        "tuple", "dict", "set", "int", "float", "str", "bool", "sorted",
                        "reversed", "min", "max", "sum", "any", "all", "abs", "map", "filter"}


class Expressions(ast.NodeTransformer):
    """`and`/`or`/`not`/conditional expressions and calls (see module docstring).

    A zero-argument `super()` becomes `super(__class__, self)`: the call may end up
    inside a generated nested function, where the implicit form has no `self`.
    """

    def __init__(self, self_name=None):
        self.self_name = self_name

    def visit_FunctionDef(self, node):
        return node

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_ClassDef = visit_FunctionDef

    def visit_BoolOp(self, node):
        self.generic_visit(node)
        func = "and_" if isinstance(node.op, ast.And) else "or_"
        result = node.values[-1]
        for value in reversed(node.values[:-1]):
            result = _ag_call(func, [_lambda(value), _lambda(result)])
        return result

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return _not(node.operand)
        return node

    def visit_IfExp(self, node):
        self.generic_visit(node)
        return _ag_call("if_exp", [node.test, _lambda(node.body), _lambda(node.orelse)])

    def visit_Call(self, node):
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Name) and func.id == "super" and not node.args and \
                self.self_name is not None:
            node.args = [_name("__class__"), _name(self.self_name)]
            return node
        if isinstance(func, ast.Name) and (func.id in _NOT_CONVERTED_CALLS or
                                           func.id.startswith(AG)):
            return node
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and \
                func.value.id == AG:
            return node
        args = ast.Tuple(elts=list(node.args), ctx=ast.Load())
        if node.keywords:
            kwargs = ast.Dict(keys=[ast.Constant(k.arg) if k.arg else None
                                    for k in node.keywords],
                              values=[k.value for k in node.keywords])
        else:
            kwargs = ast.Constant(None)
        return _ag_call("converted_call", [func, args, kwargs])


# ================================================================================
# The whole function
# ================================================================================

def transform(fdef):
    """Converts a FunctionDef in place; returns it (decorators removed)."""
    fdef.decorator_list = []
    names = Names()
    global_names, nonlocal_names = _declared(fdef)
    if any(contains(node.body + node.orelse, (ast.Return,))
           for node in ast.walk(fdef) if isinstance(node, (ast.If, ast.For, ast.While))
           ) or contains(fdef.body, (ast.Return,)) and any(
               isinstance(n, (ast.If, ast.For, ast.While)) for n in fdef.body):
        ReturnConverter().convert(fdef)
    fdef.body = LoopFlags(names).convert(fdef.body)
    positional = fdef.args.posonlyargs + fdef.args.args
    expressions = Expressions(positional[0].arg if positional else None)
    fdef.body = [expressions.visit(s) for s in fdef.body]
    control = ControlFlow(names, global_names, nonlocal_names)
    new_body = []
    for statement in fdef.body:
        result = control.visit(statement)
        new_body.extend(result if isinstance(result, list) else [result])
    fdef.body = new_body
    params = _parameters(fdef)
    undefined = [n for n in sorted(control.state_names)
                 if n not in params and n not in nonlocal_names and not n.startswith(AG + "get")
                 and not n.startswith(AG + "set")]
    init = [_assign(n, _ag_call("Undefined", [ast.Constant(n)])) for n in undefined]
    fdef.body = _after_docstring(fdef.body, init)
    return fdef


def _after_docstring(body, init):
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[:1] + init + body[1:]
    return init + body


def _declared(fdef):
    global_names, nonlocal_names = set(), set()
    for node in ast.walk(fdef):
        if isinstance(node, ast.Global):
            global_names.update(node.names)
        elif isinstance(node, ast.Nonlocal):
            nonlocal_names.update(node.names)
    return global_names, nonlocal_names


def _parameters(fdef):
    args = fdef.args
    names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    if args.vararg:
        names.append(args.vararg.arg)
    if args.kwarg:
        names.append(args.kwarg.arg)
    return set(names)
