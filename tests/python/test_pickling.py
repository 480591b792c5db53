"""Pickling ember tensors (ember/_pickling.py): values, dtype, shape and requires_grad survive for every dtype,
views pickle their values only, Parameters come back as Parameters, and torch's refusal of non-leaf tensors."""
import copy
import pickle

import numpy as np
import pytest

import ember

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "uint8", "bool"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(2, 3), (), (0, 4)])
def test_round_trip_keeps_values_dtype_and_shape(dtype, shape):
    values = (np.arange(int(np.prod(shape))) % 5 - 2).reshape(shape)
    t = ember.tensor(values).to(getattr(ember, dtype))
    u = pickle.loads(pickle.dumps(t))
    assert u.dtype == t.dtype and u.shape == t.shape and not u.requires_grad
    assert u.tolist() == t.tolist()
    u.zero_()
    assert t.tolist() == ember.tensor(values).to(getattr(ember, dtype)).tolist()  # a copy, not a view


def test_requires_grad_views_and_parameters():
    leaf = ember.tensor([1.5, -2.0], requires_grad=True)
    u = pickle.loads(pickle.dumps(leaf))
    assert u.requires_grad and u.is_leaf and u.tolist() == [1.5, -2.0]
    view = ember.arange(12.0).reshape(3, 4)[:, 1::2]
    v = pickle.loads(pickle.dumps(view))
    assert v.tolist() == view.tolist() and v.is_contiguous()
    p = pickle.loads(pickle.dumps(ember.nn.Parameter(ember.ones(2))))
    assert isinstance(p, ember.nn.Parameter) and p.requires_grad and p.tolist() == [1.0, 1.0]
    assert copy.deepcopy(leaf).tolist() == leaf.tolist()
    with pytest.raises(RuntimeError, match="Cowardly refusing to serialize non-leaf tensor which requires_grad"):
        pickle.dumps(leaf * 2)
    assert pickle.loads(pickle.dumps((leaf * 2).detach())).tolist() == [3.0, -4.0]
