"""Exception classes as torch's: every op of the function table (ember/_functions.py), every Tensor method and
every nn.functional function that ember shares with torch is called with each of a set of bad inputs, on torch
and on ember. Where both refuse a call, ember's exception must be of torch's class or a subclass of it (so
that `except RuntimeError` catches both). Two allowances, both about argument types rather than values:
ember takes fewer argument types than torch (no named dims, no Tensor bounds for clamp_, ...), so where torch
takes an argument's type and then refuses its value, ember may refuse the type, with torch's class for that,
TypeError; and where torch refuses an argument's type (TypeError), ember may take it (pybind11 converts a bool
or a sequence more freely than torch's parser) and refuse what it makes of the value instead.
Calls that torch refuses and ember answers are not judged here (ember supports more dtypes in places).
Run this file as a script to print every mismatch at once, and with --accepted those calls too."""
import sys
import warnings

import pytest
import torch

import ember
from ember._functions import _NAMES


def image(L):
    return L.ones(1, 2, 4, 4)


# Each bad input is written once, as f(lib) -> (self, args, kwargs), and built afresh for every call, so that
# an in-place op cannot change the next one's inputs.
SELVES = {
    "float": lambda L: L.tensor([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]]),
    "int": lambda L: L.tensor([[1, 2, 3], [4, 5, 6]]),
    "bool": lambda L: L.tensor([[True, False, True], [False, True, True]]),
    "0-d": lambda L: L.tensor(2.0),
    "empty": lambda L: L.zeros(0, 3),
    "image": image,
}
ARGS = {
    "nothing": lambda L: ((), {}),
    "dim 5": lambda L: ((5,), {}),
    "dim -4": lambda L: ((-4,), {}),
    "dims 0, 7": lambda L: ((0, 7), {}),
    "dims [0, 0]": lambda L: (([0, 0],), {}),
    "size -2": lambda L: ((-2,), {}),
    "sizes 4, 5": lambda L: ((4, 5), {}),
    "float 1.5": lambda L: ((1.5,), {}),
    "string": lambda L: (("a",), {}),
    "None": lambda L: ((None,), {}),
    "tensor 4x5": lambda L: ((L.ones(4, 5),), {}),
    "tensor 0-d": lambda L: ((L.tensor(1.0),), {}),
    "int64 2x3": lambda L: ((L.ones(2, 3, dtype=L.int64),), {}),
    "bool 2x3": lambda L: ((L.ones(2, 3, dtype=L.bool),), {}),
    "float64 3x2": lambda L: ((L.ones(3, 2, dtype=L.float64),), {}),
    "dim, float index": lambda L: ((0, L.ones(2, 3)), {}),
    "dim, index 5": lambda L: ((0, L.tensor([[5, 0, 0]])), {}),
    "dim, index, src": lambda L: ((0, L.tensor([[5, 0, 0]]), L.ones(2, 3)), {}),
    "float mask, 0": lambda L: ((L.ones(2, 3), 0.0), {}),
    "mask, 1-d value": lambda L: ((L.ones(2, 3, dtype=L.bool), L.ones(1)), {}),
    "dim=5": lambda L: ((), {"dim": 5}),
    "keepdim string": lambda L: ((), {"keepdim": "yes"}),
    "weight 2x2x3x3, groups=0": lambda L: ((L.ones(2, 2, 3, 3),), {"groups": 0}),
    "weight 2x2x3x3, stride=0": lambda L: ((L.ones(2, 2, 3, 3),), {"stride": 0}),
    "weight 2x2x3x3, padding=-1": lambda L: ((L.ones(2, 2, 3, 3),), {"padding": -1}),
    "weight 3x3x3x3": lambda L: ((L.ones(3, 3, 3, 3),), {}),
    "kernel 0": lambda L: ((0,), {}),
    "kernel 9": lambda L: ((9,), {}),
    "bool target": lambda L: ((L.tensor([True, False]),), {}),
    "float target 2": lambda L: ((L.tensor([1.0, 0.0]),), {}),
    "target 7": lambda L: ((L.tensor([7, 0]),), {}),
    "target 2x3, reduction": lambda L: ((L.ones(2, 3),), {"reduction": "bogus"}),
    "p -1": lambda L: ((), {"p": -1.0}),
    "normalized_shape 5": lambda L: (([5],), {}),
}

# Not argument checks: device moves, storage and memory, hooks and graph, printing, conversions to Python.
SKIPPED = set("""
    backward register_hook retain_grad cuda cpu to type pin_memory share_memory_ is_pinned storage
    untyped_storage data_ptr numpy tolist item record_stream apply_ map_ set_ resize_ resize_as_ new
    dim_order element_size requires_grad_ detach_ __dlpack__ __dlpack_device__ clone
""".split())


def builtin_class(exc):
    """The first builtin exception class exc is an instance of (torch's own, e.g. LinAlgError, derive from one)."""
    return next(c for c in type(exc).__mro__ if c.__module__ == "builtins")


def outcome(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call()
        except Exception as e:  # noqa: BLE001 (the class is what is compared)
            return e
    return None


# Calls wrong in more than one way, where torch's checks run in another order than ember's, or where torch's class
# is an accident of how it is written: op -> (the selves it concerns, or None: all; why ember's class differs).
RANK = "ember checks the input's rank first, a RuntimeError naming the shape it expects; torch's IndexError " \
       "comes from wrapping a dim of a tensor that has too few"
KNOWN = {
    "diagonal": ({"0-d"}, RANK), "tril": ({"0-d"}, RANK), "triu": ({"0-d"}, RANK), "mv": ({"0-d"}, RANK),
    "avg_pool2d": ({"float", "int", "bool", "empty", "0-d"}, RANK),
    "group_norm": (None, RANK + "; and torch divides by num_groups=0 (ZeroDivisionError)"),
    "cross_entropy": ({"0-d", "empty"}, RANK), "bilinear": (None, RANK),
    "nll_loss": ({"empty", "int", "bool"}, RANK + "; and ember checks the targets before the input's dtype"),
    "adaptive_avg_pool2d": (None, RANK + " (torch's ValueError comes from its Python layer)"),
    "amax": ({"empty"}, "ember finds the repeated dim before the empty one"),
    "amin": ({"empty"}, "ember finds the repeated dim before the empty one"),
    "hardtanh": ({"bool"}, "ember checks min_val <= max_val before the dtype"),
    "softplus": ({"bool", "int"}, "ember checks beta before the dtype"),
    "l1_loss": (None, "ember checks reduction before the shapes"),
    "mse_loss": (None, "ember checks reduction before the shapes"),
    "smooth_l1_loss": (None, "ember checks reduction before the shapes"),
    "index_add": ({"int", "bool"}, "ember checks the dtypes before the index's rank"),
    "split": ({"0-d"}, "a 0-d tensor of split sizes is taken as a sequence, whose len() fails first"),
}


def calls(kind, name):
    """(description, f(lib) -> a thunk that makes the call) for op `name` of kind 'method', 'function' or 'F', but
    for the KNOWN ones."""
    selves, _ = KNOWN.get(name, (set(), ""))
    for self_name, make_self in SELVES.items():
        if selves is None or self_name in selves:
            continue
        for args_name, make_args in ARGS.items():
            def thunk(L, make_self=make_self, make_args=make_args):
                self = make_self(L)
                args, kwargs = make_args(L)
                if kind == "method":
                    return lambda: getattr(self, name)(*args, **kwargs)
                target = L.nn.functional if kind == "F" else L
                return lambda: getattr(target, name)(self, *args, **kwargs)
            yield f"{self_name} self, {args_name}", thunk


# What ember's bindings say when they do not take an argument's type (pybind11's overload resolution, and
# bindings/src's own conversions).
TYPE_REFUSALS = ("incompatible function arguments", "expected a number (bool, int or float)",
                 "expected min and max both Tensors or both numbers", "expected dims as ints", "expected sizes as ints",
                 "Unable to cast Python instance")  # pybind11's cast_error, a TypeError since bindings/src/types.cpp


def as_torch(theirs, ours):
    """Whether ours (an exception or None) is how ember should answer a call torch answered with theirs."""
    expected = builtin_class(theirs)
    if ours is None:
        return True
    if expected is TypeError and not isinstance(ours, TypeError):
        # ember took the argument's type; then only what it did with the value can be checked, and an argument
        # it failed to convert (pybind11's cast_error) must not pass for a value error.
        return "Unable to cast" not in str(ours)
    return isinstance(ours, expected) or (isinstance(ours, TypeError) and any(
        refusal in str(ours) for refusal in TYPE_REFUSALS))


def mismatches(kind, name, accepted=False):
    """Each bad call that torch refuses and ember does not refuse as torch does (or, accepted: at all), as a line
    of text."""
    found = []
    for what, thunk in calls(kind, name):
        theirs = outcome(thunk(torch))
        if theirs is None:
            continue
        ours = outcome(thunk(ember))
        expected = builtin_class(theirs)
        if (ours is None and accepted and expected is not TypeError) or not as_torch(theirs, ours):
            got = "no error" if ours is None else f"{type(ours).__name__}: {str(ours).splitlines()[0][:100]}"
            found.append(f"{name} ({what}): torch {expected.__name__} ({str(theirs).splitlines()[0][:80]}), "
                         f"ember {got}")
    return found


def shared(ours, theirs):
    return sorted(n for n in dir(ours) if not n.startswith("_") and n not in SKIPPED and hasattr(theirs, n)
                  and callable(getattr(ours, n)))


TABLE = ([("function", n) for n in sorted(set(_NAMES) | {"pow"})]
         + [("method", n) for n in shared(ember.Tensor, torch.Tensor)]
         + [("F", n) for n in shared(ember.nn.functional, torch.nn.functional)])


@pytest.mark.parametrize("kind, name", TABLE, ids=[f"{k}-{n}" for k, n in TABLE])
def test_bad_arguments_raise_torchs_class(kind, name):
    found = mismatches(kind, name)
    assert not found, "\n".join(found)


def test_an_argument_of_the_wrong_type_is_a_type_error():
    # pybind11 raised RuntimeError when a conversion of a Python argument failed; torch raises TypeError.
    for lib in (torch, ember):
        x = lib.ones(2, 3)
        for call in (lambda: x.sum(1.5), lambda: x.permute(0, "a"), lambda: x.roll(None), lambda: x.flip(None),
                     lambda: x.repeat(x)):  # repeat read its arguments without the GIL: a crash
            with pytest.raises(TypeError):
                call()


def test_the_table_is_walked():
    # A guard on the walk itself: the table holds the ops, and torch refuses most of the bad inputs.
    assert len(TABLE) > 250
    assert mismatches("method", "sum") == [] and len([1 for _, t in calls("method", "sum")
                                                          if outcome(t(torch)) is not None]) > 50


if __name__ == "__main__":
    accepted = "--accepted" in sys.argv
    only = [a for a in sys.argv[1:] if a != "--accepted"]
    for kind, name in TABLE:
        if not only or name in only:
            for line in mismatches(kind, name, accepted):
                print(f"{kind} {line}")
