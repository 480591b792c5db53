"""NumPy interop: from_numpy and numpy() share memory and keep their owner alive; ember.tensor of NumPy
scalars, arrays and sequences of them infers torch's dtype."""
import gc

import numpy as np
import pytest
import torch

import ember


def test_from_numpy_shares_memory_both_ways():
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    t = ember.from_numpy(a)
    assert t.dtype == ember.float64 and t.shape == (2, 3)
    t[0, 0] = 100
    assert a[0, 0] == 100
    a[1, 2] = -1
    assert t[1, 2].item() == -1


def test_from_numpy_keeps_strides():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)[:, ::2]
    t = ember.from_numpy(a)
    assert t.stride() == (4, 2)
    np.testing.assert_array_equal(t.numpy(), a)
    with pytest.raises(ValueError, match="negative"):  # as torch
        ember.from_numpy(np.arange(4, dtype=np.float32)[::-1])
    assert ember.tensor(np.arange(4, dtype=np.float32)[::-1]).tolist() == [3, 2, 1, 0]  # a copy is fine


def test_tensor_of_arrays_keeps_their_shape():
    assert ember.tensor(np.float64(2.5)).shape == () and ember.tensor(np.array(3)).shape == ()
    assert ember.tensor(np.array(3)).item() == 3
    assert ember.tensor(np.zeros((2, 0))).shape == (2, 0)


def test_owner_outlives_the_views():
    t = ember.from_numpy(np.arange(5, dtype=np.int64))
    gc.collect()
    assert t.tolist() == [0, 1, 2, 3, 4]
    view = ember.arange(4).numpy()
    gc.collect()
    assert view.tolist() == [0, 1, 2, 3]


def test_numpy_shares_memory():
    t = ember.zeros(3)
    n = t.numpy()
    n[1] = 5
    assert t.tolist() == [0, 5, 0]
    assert np.asarray(t).dtype == np.float32
    assert np.asarray(ember.ones(2, dtype=ember.int32), dtype=np.float64).dtype == np.float64


def test_unsupported_numpy_dtypes_are_type_errors():
    with pytest.raises(TypeError, match="can't convert np.ndarray of type int16"):
        ember.from_numpy(np.zeros(2, dtype=np.int16))
    with pytest.raises(TypeError, match="could not infer a dtype"):
        ember.tensor(["a", "b"])


def test_dlpack_to_and_from_torch_without_copies():
    import torch
    from torch.utils import dlpack as torch_dlpack

    e = ember.arange(6, dtype=ember.float32).view(2, 3)[:, 1:]  # strided
    t = torch.from_dlpack(e)
    assert t.tolist() == e.tolist() and t.stride() == (3, 1)
    t[0, 0] = 42  # the same memory
    assert e[0, 0].item() == 42

    source = torch.arange(8, dtype=torch.int64).reshape(2, 4)
    back = ember.from_dlpack(source)
    assert back.dtype == ember.int64 and back.tolist() == source.tolist()
    back[1, 3] = -7
    assert source[1, 3].item() == -7
    capsule = torch_dlpack.to_dlpack(torch.ones(3, dtype=torch.float64))
    assert ember.from_dlpack(capsule).tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(TypeError, match="unused DLPack capsule"):
        ember.from_dlpack(capsule)  # a capsule is consumed once
    assert e.__dlpack_device__() == (1, 0)


def test_dlpack_from_numpy_and_bool_refused():
    a = np.arange(4.0)
    t = ember.from_dlpack(a)
    a[0] = 9
    assert t[0].item() == 9
    with pytest.raises(TypeError, match="Bool type is not supported by dlpack"):
        ember.ones(2, dtype=ember.bool).__dlpack__()


NUMPY_SCALARS = [np.float64(1.5), np.float32(1.5), np.float16(1.5), np.int64(3), np.int32(-3), np.uint8(200),
                 np.bool_(True)]


@pytest.mark.parametrize("value", NUMPY_SCALARS, ids=lambda v: type(v).__name__)
def test_tensor_of_numpy_scalars_has_torchs_dtype(value):
    ours, theirs = ember.tensor(value), torch.tensor(value)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch", "ember") and ours.shape == () == theirs.shape
    assert ours.item() == theirs.item()


@pytest.mark.parametrize("data", [
    [np.float64(1.5), 2.0], [1.0, np.float64(0.1)], [np.float32(1.5), 2.0], [np.float32(1), 2], [np.int32(1), 2],
    [np.int32(1), np.int32(2)], [np.int64(1), np.float32(2)], [np.float32(1), np.float64(2)], [np.uint8(1), True],
    [np.bool_(True), 1], [np.bool_(True), False], [np.float16(1), np.int32(2)], [[np.float64(1)], [np.float64(2)]],
    [np.arange(2, dtype=np.int32), np.arange(2, dtype=np.int32)], (np.float32(0.1), 1),
], ids=repr)
def test_tensor_of_sequences_with_numpy_scalars_promotes_as_torch(data):
    ours, theirs = ember.tensor(data), torch.tensor(data)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch", "ember") and tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "int64", "int32", "uint8", "bool"])
def test_tensor_of_arrays_of_every_dtype_matches_torch(dtype):
    array = (np.arange(6) % 3).astype(dtype).reshape(2, 3)
    ours, theirs = ember.tensor(array), torch.tensor(array)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch", "ember")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    array[0, 0] = 1  # a copy, as torch.tensor's
    assert ours[0, 0].item() == 0


def test_tensor_with_dtype_converts_from_the_values_given():
    assert ember.tensor([0.1], dtype=ember.float64).item() == 0.1  # not rounded through float32 first
    assert ember.tensor(np.float32(0.1), dtype=ember.float64).item() == torch.tensor(np.float32(0.1),
                                                                                     dtype=torch.float64).item()
    assert ember.tensor([1.5, 2.5], dtype=ember.bfloat16).tolist() == [1.5, 2.5]


@pytest.mark.parametrize("dtype", ["int16", "int8", "uint16", "complex64"])
def test_numpy_dtypes_ember_lacks_are_type_errors(dtype):
    with pytest.raises(TypeError, match=f"can't convert np.ndarray of type {dtype}"):
        ember.tensor(np.zeros(2, dtype=dtype))
    with pytest.raises(TypeError, match=f"can't convert np.ndarray of type {dtype}"):
        ember.tensor([np.zeros((), dtype=dtype)[()]])
