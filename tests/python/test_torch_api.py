"""torch's Tensor methods and top-level functions, run on torch and on ember with the same inputs: values,
dtypes, named results and (for the differentiable ones) gradients must agree. Each case is written once as
`op(lib, x, ...)` and run with lib = torch and lib = ember; most run twice more, as a method and as a function."""
import numpy as np
import pytest
import torch

import ember

rng = np.random.default_rng(0)
X = rng.standard_normal((3, 4)).astype(np.float64)
POS = np.abs(X) + 0.5
Y = rng.standard_normal((3, 4)).astype(np.float64)
M = rng.standard_normal((4, 5)).astype(np.float64)
B1, B2 = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 2))
V = rng.standard_normal(4)
IDX = np.array([[0, 2, 1, 3], [3, 3, 0, 1], [1, 0, 2, 2]], dtype=np.int64)
ROWS = np.array([2, 0], dtype=np.int64)
MASK = X > 0


def to(lib, a, grad=False):
    t = lib.tensor(a)
    return t.requires_grad_(True) if grad and t.is_floating_point() else t


# name -> (inputs, f(lib, *tensors) -> output). Inputs marked with a trailing "*" get requires_grad.
CASES = {
    # elementwise math
    "exp2": ([X], lambda L, x: x.exp2()),
    "log2": ([POS], lambda L, x: x.log2()),
    "expm1": ([X], lambda L, x: x.expm1()),
    "tan": ([X * 0.5], lambda L, x: x.tan()),
    "trunc": ([X * 3], lambda L, x: x.trunc()),
    "erf": ([X], lambda L, x: x.erf()),
    "square": ([X], lambda L, x: x.square()),
    "add_alpha": ([X, Y], lambda L, x, y: x.add(y, alpha=2.5)),
    "add_scalar_alpha": ([X], lambda L, x: x.add(3, alpha=2)),
    "sub_alpha": ([X, Y], lambda L, x, y: x.sub(y, alpha=-1.5)),
    "div_floor": ([X * 4, Y], lambda L, x, y: x.div(y, rounding_mode="floor")),
    "div_trunc": ([X * 4], lambda L, x: x.div(1.5, rounding_mode="trunc")),
    "true_divide": ([X, POS], lambda L, x, y: x.true_divide(y)),
    "clamp": ([X], lambda L, x: x.clamp(min=-0.5, max=0.7)),
    "clamp_min_only": ([X], lambda L, x: x.clamp(min=0.1)),
    "clamp_tensors": ([X, Y * 0 - 0.3, Y * 0 + 0.4], lambda L, x, lo, hi: x.clamp(lo, hi)),
    "clip": ([X], lambda L, x: x.clip(-1, 1)),
    "maximum": ([X, Y], lambda L, x, y: x.maximum(y)),
    "minimum": ([X, Y], lambda L, x, y: x.minimum(y)),
    "max_binary": ([X, Y], lambda L, x, y: L.max(x, y)),
    "lerp": ([X, Y], lambda L, x, y: x.lerp(y, 0.3)),
    "where_method": ([X, Y], lambda L, x, y: x.where(x > 0, y)),
    "where_scalar": ([X], lambda L, x: L.where(x > 0, x, 0.0)),
    "isclose": ([X, X + 1e-7], lambda L, x, y: x.isclose(y, rtol=0, atol=1e-6)),
    "nan_to_num": ([np.array([np.nan, np.inf, -np.inf, 1.0])], lambda L, x: x.nan_to_num(posinf=9.0)),
    "pow_number_base": ([X], lambda L, x: L.pow(2, x)),
    # reductions
    "sum_dtype": ([X], lambda L, x: x.float().sum(dtype=L.float64)),
    "prod": ([POS], lambda L, x: x.prod(1)),
    "prod_all": ([POS], lambda L, x: x.prod()),
    "cumsum": ([X], lambda L, x: x.cumsum(dim=1)),
    "logsumexp": ([X], lambda L, x: x.logsumexp(1, keepdim=True)),
    "norm": ([X], lambda L, x: x.norm()),
    "norm_p1_dim": ([X], lambda L, x: x.norm(p=1, dim=0)),
    "all": ([X], lambda L, x: (x > -5).all()),
    "any_dim": ([X], lambda L, x: (x > 1).any(1)),
    "max_dim": ([X], lambda L, x: x.max(1)),
    "min_dim": ([X], lambda L, x: x.min(dim=0, keepdim=True)),
    "amax": ([X], lambda L, x: x.amax(dim=(0, 1))),
    # linear algebra
    "mm": ([X, M], lambda L, x, m: x.mm(m)),
    "bmm": ([B1, B2], lambda L, a, b: a.bmm(b)),
    "mv": ([X, V], lambda L, x, v: x.mv(v)),
    "dot": ([V, V * 2], lambda L, a, b: a.dot(b)),
    "outer": ([V, V[:3]], lambda L, a, b: a.outer(b)),
    "addmm": ([Y[:, :1], X, M], lambda L, c, a, b: L.addmm(c.expand(3, 5), a, b, beta=0.5, alpha=2)),
    "einsum": ([X, M], lambda L, a, b: L.einsum("ij,jk->ik", a, b)),
    "einsum_list": ([X, M], lambda L, a, b: L.einsum("ij,jk", [a, b])),
    # shape and joins
    "view_as": ([X, Y.reshape(4, 3)], lambda L, x, y: x.view_as(y)),
    "reshape_as": ([X, Y.reshape(2, 6)], lambda L, x, y: x.reshape_as(y)),
    "expand_as": ([V, X], lambda L, v, x: v.expand_as(x)),
    "unflatten": ([X], lambda L, x: x.unflatten(1, (2, 2))),
    "swapaxes": ([B1], lambda L, x: x.swapaxes(0, 2)),
    "diagonal": ([X], lambda L, x: x.diagonal(offset=1)),
    "repeat": ([X], lambda L, x: x.repeat(2, 1, 3)),
    "tile": ([X], lambda L, x: x.tile((2,))),
    "flip": ([X], lambda L, x: x.flip(0, 1)),
    "roll": ([X], lambda L, x: x.roll(1, 1)),
    "roll_flat": ([X], lambda L, x: x.roll(5)),
    "tril": ([X], lambda L, x: x.tril(-1)),
    "triu": ([X], lambda L, x: x.triu(1)),
    "chunk": ([X], lambda L, x: x.chunk(2, 1)),
    "split_sizes": ([X], lambda L, x: x.split([1, 3], dim=1)),
    "split_size": ([X], lambda L, x: x.split(2)),
    "unbind": ([X], lambda L, x: x.unbind(1)),
    "broadcast_tensors": ([X, V], lambda L, x, v: L.broadcast_tensors(x, v)),
    # indexing
    "index_select": ([X, ROWS], lambda L, x, i: x.index_select(0, i)),
    "gather": ([X, IDX], lambda L, x, i: x.gather(1, i)),
    "scatter": ([X, IDX[:, :2], Y[:, :2]], lambda L, x, i, s: x.scatter(1, i, s)),
    "scatter_value": ([X, IDX[:, :1]], lambda L, x, i: x.scatter(1, i, 7.0)),
    "scatter_add": ([X, IDX, Y], lambda L, x, i, s: x.scatter_add(1, i, s)),
    "index_add": ([X, ROWS, Y[:2]], lambda L, x, i, s: x.index_add(0, i, s, alpha=2)),
    "masked_select": ([X, MASK], lambda L, x, m: x.masked_select(m)),
    "masked_fill": ([X, MASK], lambda L, x, m: x.masked_fill(m, -1.0)),
    "masked_fill_tensor_value": ([X, MASK, np.array(2.5)], lambda L, x, m, v: x.masked_fill(m, v)),
    "masked_fill_float32_value": ([X, MASK, np.float32(-1.5)], lambda L, x, m, v: x.masked_fill(m[0], v)),
    "masked_fill_int_value": ([IDX, MASK, np.array(9)], lambda L, i, m, v: i.masked_fill(m, v)),
    "take": ([X, ROWS], lambda L, x, i: x.take(i)),
    "nonzero": ([MASK], lambda L, m: m.nonzero()),
    "nonzero_tuple": ([MASK], lambda L, m: m.nonzero(as_tuple=True)),
    "where_one_arg": ([MASK], lambda L, m: L.where(m)),
    "argwhere": ([MASK], lambda L, m: m.argwhere()),
    # var and std: torch's (dim, unbiased, keepdim), (dim, *, correction, keepdim) and (unbiased) forms
    "var_correction_0": ([X], lambda L, x: x.var(1, correction=0)),
    "var_correction_2_keepdim": ([X], lambda L, x: x.var(dim=0, correction=2, keepdim=True)),
    "var_dims_correction": ([X], lambda L, x: x.var((0, 1), correction=0)),
    "var_positional": ([X], lambda L, x: x.var(0, False, True)),
    "var_unbiased_only": ([X], lambda L, x: x.var(False)),
    "var_unbiased_keyword": ([X], lambda L, x: x.var(unbiased=False)),
    "std_correction_0": ([X], lambda L, x: x.std(1, correction=0, keepdim=True)),
    "std_unbiased_keyword": ([X], lambda L, x: x.std(dim=0, unbiased=False)),
    "std_unbiased_only": ([X], lambda L, x: x.std(True)),
    "norm_p_none": ([X], lambda L, x: x.norm(None, 1)),
    # sorting
    "sort": ([X], lambda L, x: x.sort(dim=1, descending=True)),
    "argsort": ([X], lambda L, x: x.argsort(0)),
    "topk": ([X], lambda L, x: x.topk(2, dim=1)),
    "topk_smallest": ([X], lambda L, x: x.topk(1, dim=0, largest=False)),
    # new_* and conversions
    "new_zeros": ([X], lambda L, x: x.new_zeros(2, 3)),
    "new_ones": ([X.astype(np.int64)], lambda L, x: x.new_ones((2,))),
    "new_full": ([X], lambda L, x: x.new_full((2, 2), 1.5)),
    "type_as": ([X, IDX], lambda L, x, i: i.type_as(x)),
    "type_convert": ([X], lambda L, x: x.type(L.float32)),
    "full_like": ([X], lambda L, x: L.full_like(x, 2.5)),
}

# The cases also run as torch.<name>(x, ...) where torch has that function: name -> the function form.
FUNCTION_FORMS = {
    "exp2": lambda L, x: L.exp2(x), "log2": lambda L, x: L.log2(x), "erf": lambda L, x: L.erf(x),
    "clamp": lambda L, x: L.clamp(x, min=-0.5, max=0.7), "prod": lambda L, x: L.prod(x, 1),
    "cumsum": lambda L, x: L.cumsum(x, dim=1), "logsumexp": lambda L, x: L.logsumexp(x, 1, keepdim=True),
    "mm": lambda L, x, m: L.mm(x, m), "bmm": lambda L, a, b: L.bmm(a, b), "dot": lambda L, a, b: L.dot(a, b),
    "flip": lambda L, x: L.flip(x, (0, 1)), "roll": lambda L, x: L.roll(x, 1, 1), "tril": lambda L, x: L.tril(x, -1),
    "chunk": lambda L, x: L.chunk(x, 2, 1), "split_sizes": lambda L, x: L.split(x, [1, 3], dim=1),
    "gather": lambda L, x, i: L.gather(x, 1, i), "index_select": lambda L, x, i: L.index_select(x, 0, i),
    "scatter_add": lambda L, x, i, s: L.scatter_add(x, 1, i, s), "masked_select": lambda L, x, m: L.masked_select(x, m),
    "sort": lambda L, x: L.sort(x, dim=1, descending=True), "topk": lambda L, x: L.topk(x, 2, dim=1),
    "max_dim": lambda L, x: L.max(x, 1), "maximum": lambda L, x, y: L.maximum(x, y), "square": lambda L, x: L.square(x),
    "unbind": lambda L, x: L.unbind(x, 1), "diagonal": lambda L, x: L.diagonal(x, offset=1),
    "nonzero": lambda L, m: L.nonzero(m), "sum_dtype": lambda L, x: L.sum(x.float(), dtype=L.float64),
    "norm_p1_dim": lambda L, x: L.norm(x, p=1, dim=0), "all": lambda L, x: L.all(x > -5),
    "add_alpha": lambda L, x, y: L.add(x, y, alpha=2.5), "outer": lambda L, a, b: L.outer(a, b),
    "transpose": lambda L, x: L.transpose(x, 0, 1), "argsort": lambda L, x: L.argsort(x, 0),
    "var_correction_0": lambda L, x: L.var(x, 1, correction=0), "var_positional": lambda L, x: L.var(x, 0, False, True),
    "std_correction_0": lambda L, x: L.std(x, 1, correction=0, keepdim=True),
    "std_unbiased_only": lambda L, x: L.std(x, False),
    "masked_fill_tensor_value": lambda L, x, m, v: L.masked_fill(x, m, v),
}


def leaves(out):
    """The tensors of an op's result, with the field names of a named pair."""
    if isinstance(out, tuple) and hasattr(out, "indices"):  # torch's structseq, ember's namedtuple
        return [("values", out.values), ("indices", out.indices)]
    if isinstance(out, (tuple, list)):
        return list(enumerate(out))
    return [(0, out)]


def dtype_name(t):
    return str(t.dtype).split(".")[-1]


def run(lib, inputs, op, grad):
    tensors = [to(lib, a, grad) for a in inputs]
    return tensors, op(lib, *tensors)


def check_same(case_op, inputs):
    torch_in, expected = run(torch, inputs, case_op, grad=True)
    ember_in, actual = run(ember, inputs, case_op, grad=True)
    expected_leaves, actual_leaves = leaves(expected), leaves(actual)
    assert [k for k, _ in actual_leaves] == [k for k, _ in expected_leaves]
    if isinstance(expected, tuple) and hasattr(expected, "indices"):
        assert type(actual).__name__ == type(expected).__name__
    for (_, a), (_, e) in zip(actual_leaves, expected_leaves):
        assert dtype_name(a) == dtype_name(e)
        np.testing.assert_allclose(a.detach().numpy(), e.detach().numpy(), rtol=1e-6, atol=1e-9)
    # Gradients, through the floating outputs' weighted sum (the weights make every output count differently).
    differentiable = [(a, e) for (_, a), (_, e) in zip(actual_leaves, expected_leaves) if e.requires_grad]
    if not differentiable:
        return
    loss_t = sum((e * torch.arange(e.numel(), dtype=e.dtype).reshape(e.shape).cos()).sum() for _, e in differentiable)
    loss_e = sum((a * ember.arange(a.numel(), dtype=a.dtype).reshape(a.shape).cos()).sum() for a, _ in differentiable)
    loss_t.backward()
    loss_e.backward()
    for t_in, e_in in zip(torch_in, ember_in):
        if t_in.grad is not None:
            assert e_in.grad is not None
            np.testing.assert_allclose(e_in.grad.numpy(), t_in.grad.numpy(), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", sorted(CASES))
def test_method_matches_torch(name):
    inputs, op = CASES[name]
    check_same(op, inputs)


@pytest.mark.parametrize("name", sorted(FUNCTION_FORMS))
def test_function_matches_torch(name):
    inputs = CASES[name][0] if name in CASES else [X]
    check_same(FUNCTION_FORMS[name], inputs)


def test_every_function_form_exists_in_torch():
    from ember._functions import FUNCTIONS
    assert [name for name in FUNCTIONS if not hasattr(torch, name)] == []


def test_in_place_methods_return_self_and_match_torch():
    for lib in (torch, ember):
        x = lib.tensor([[1.0, -2.0], [3.0, -4.0]])
        assert x.clamp_(min=-1.5, max=2) is x and x.tolist() == [[1.0, -1.5], [2.0, -1.5]]
        assert x.masked_fill_(x < 0, 0.0) is x and x.tolist() == [[1.0, 0.0], [2.0, 0.0]]
        assert x.pow_(2) is x and x.tolist() == [[1.0, 0.0], [4.0, 0.0]]
        assert x.exp2_() is x and x.tolist() == [[2.0, 1.0], [16.0, 1.0]]
        assert x.masked_fill_(x == 1, lib.tensor(-3.0)) is x and x.tolist() == [[2.0, -3.0], [16.0, -3.0]]


def test_random_methods():
    ember.manual_seed(0)
    x = ember.empty(10000, dtype=ember.float64)
    assert x.uniform_(2, 3) is x and 2 <= x.min().item() and x.max().item() < 3
    assert abs(x.normal_(mean=1.0, std=2.0).mean().item() - 1.0) < 0.1 and abs(x.std().item() - 2.0) < 0.1
    p = ember.full((10000,), 0.25)
    assert abs(p.bernoulli().mean().item() - 0.25) < 0.02
    r = ember.randint(3, 7, (1000,))
    assert r.dtype == ember.int64 and r.min().item() == 3 and r.max().item() == 6
    assert ember.randint(5, (2, 3)).shape == (2, 3)
    assert sorted(ember.randperm(6).tolist()) == list(range(6))


def test_type_names_and_helpers_as_torch():
    for lib in (torch, ember):
        x = lib.ones(2)
        assert x.type() == "torch.FloatTensor" and x.long().type() == "torch.LongTensor"
        assert x.nelement() == 2 and lib.get_default_dtype() == lib.float32
        assert lib.concat([x, x]).shape == (4,)
    a = np.arange(3.0)
    shared = ember.as_tensor(a)
    a[0] = 7.0
    assert shared[0].item() == 7.0  # as_tensor of an ndarray shares its memory
    t = ember.ones(2)
    assert ember.as_tensor(t) is t


def test_bad_arguments_raise_as_torch():
    x = ember.ones(2, 3)
    with pytest.raises(TypeError, match="clamp"):
        x.clamp(ember.zeros(1), 2.0)
    with pytest.raises(RuntimeError, match="nuc"):  # torch's class for a p it does not know
        x.norm(p="nuc")
    with pytest.raises(TypeError, match="randint"):
        ember.randint(5)
    for lib in (torch, ember):  # torch's kinds: RuntimeError for gather/scatter, IndexError for index_select
        with pytest.raises(RuntimeError, match="index 5 is out of bounds for dimension 1 with size 3"):
            lib.ones(2, 3).gather(1, lib.tensor([[5]]))
        with pytest.raises(RuntimeError, match="out of bounds"):
            lib.ones(2, 3).scatter(1, lib.tensor([[5]]), 1.0)
        with pytest.raises(IndexError):
            lib.ones(2, 3).index_select(0, lib.tensor([5]))
    with pytest.raises(RuntimeError):
        x.mm(ember.ones(2, 2))
    for lib in (torch, ember):  # torch has no overload for these
        for call in (lambda t: t.var(0, True, correction=0), lambda t: t.std(unbiased=False, correction=1),
                     lambda t: t.var(0, 0)):
            with pytest.raises(TypeError):
                call(lib.ones(2, 3))
    for lib in (torch, ember):  # in place as out of place, where ember truncated to 0
        with pytest.raises(RuntimeError, match="(?i)integers to negative integer powers are not allowed"):
            lib.tensor([1, 2, 3]).pow_(-2)
    with pytest.raises(RuntimeError, match="0-dimensional value"):  # torch: "... a 0-dimensional value tensor"
        ember.ones(2).masked_fill(ember.ones(2, dtype=ember.bool), ember.ones(1))


def test_allclose_and_equal_as_torch():
    for x, y, kwargs in ((X, X + 1e-9, {}), (X, X + 1e-3, {}), (X, X + 1e-3, {"atol": 1e-2}),
                         (np.array([np.nan]), np.array([np.nan]), {"equal_nan": True})):
        assert ember.allclose(ember.tensor(x), ember.tensor(y), **kwargs) == \
            torch.allclose(torch.tensor(x), torch.tensor(y), **kwargs)
    for a, b in (([1, 2], [1, 2]), ([1, 2], [1, 3]), ([1.0], [1.0, 1.0])):
        assert ember.equal(ember.tensor(a), ember.tensor(b)) == torch.equal(torch.tensor(a), torch.tensor(b))
        assert ember.tensor(a).equal(ember.tensor(b)) == torch.tensor(a).equal(torch.tensor(b))


def test_out_argument_writes_into_out_and_returns_it():
    for lib in (torch, ember):
        x, out = lib.tensor([[1.0, 2.0], [3.0, 4.0]]), lib.zeros(2, 2)
        assert lib.matmul(x, x.T, out=out) is out and out.tolist() == [[5.0, 11.0], [11.0, 25.0]]
        values, indices = lib.zeros(2, 1), lib.zeros(2, 1, dtype=lib.int64)
        lib.topk(x, 1, dim=1, out=(values, indices))
        assert values.tolist() == [[2.0], [4.0]] and indices.tolist() == [[1], [1]]
    with pytest.raises(RuntimeError, match=r"expected out= of shape \[2, 2\], got \[3\]"):
        ember.matmul(ember.ones(2, 2), ember.ones(2, 2), out=ember.zeros(3))
    # out= would drop the gradient: refused under grad mode, as torch's, allowed under no_grad.
    for lib in (ember, torch):
        x = lib.ones(3, requires_grad=True)
        for inputs, out in (((x,), lib.empty(3)), ((lib.ones(3),), lib.empty(3, requires_grad=True))):
            with pytest.raises(RuntimeError, match=r"exp\(\): functions with out=\.\.\. arguments don't support "
                                                   "automatic differentiation"):
                lib.exp(*inputs, out=out)
        with lib.no_grad():
            out = lib.empty(3)
            assert lib.exp(x, out=out) is out


def test_functional_one_hot_and_relu6():
    labels = np.array([0, 2, 1, 2])
    for num_classes in (-1, 4):
        np.testing.assert_array_equal(ember.nn.functional.one_hot(ember.tensor(labels), num_classes).numpy(),
                                      torch.nn.functional.one_hot(torch.tensor(labels), num_classes).numpy())
    x = np.array([-1.0, 3.0, 7.5])
    np.testing.assert_array_equal(ember.nn.functional.relu6(ember.tensor(x)).numpy(),
                                  torch.nn.functional.relu6(torch.tensor(x)).numpy())


def test_parameter_list_and_dict_register_parameters_as_torch():
    for lib in (torch, ember):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.weights = lib.nn.ParameterList([lib.nn.Parameter(lib.ones(2)), lib.zeros(3)])
                self.weights.append(lib.ones(1))
                self.named = lib.nn.ParameterDict({"scale": lib.nn.Parameter(lib.ones(1))})
                self.named["shift"] = lib.zeros(1)

        net = Net()
        assert [name for name, _ in net.named_parameters()] == ["weights.0", "weights.1", "weights.2",
                                                                  "named.scale", "named.shift"]
        assert all(isinstance(p, lib.nn.Parameter) for p in net.weights) and len(net.weights) == 3
        assert net.weights[-1].shape == (1,) and "shift" in net.named and list(net.named) == ["scale", "shift"]
        assert sorted(net.state_dict()) == sorted(name for name, _ in net.named_parameters())
        assert len(net.weights[1:]) == 2


def test_legacy_constructors_as_torch():
    for name in ("Tensor", "FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "BoolTensor"):
        e, t = getattr(ember, name), getattr(torch, name)
        assert e(2, 3).shape == t(2, 3).shape == (2, 3) and dtype_name(e(2, 3)) == dtype_name(t(2, 3))
        assert e([1, 0, 2]).tolist() == t([1, 0, 2]).tolist() and dtype_name(e([1, 0])) == dtype_name(t([1, 0]))
        assert e().shape == t().shape == (0,)
    assert ember.LongTensor([2 ** 40 + 1]).item() == 2 ** 40 + 1  # made in its dtype, not through float32
    with pytest.raises(TypeError, match="expected sizes or one sequence"):
        ember.FloatTensor([1], [2])
