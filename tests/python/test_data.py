"""ember.utils.data and ember.save / ember.load from Python: batches as torch's DataLoader gives them,
the C++ FashionMNIST reader, state dicts through safetensors files (also read by torch's loader)."""
import json
import os

import numpy as np
import pytest
import torch

import ember
from ember import nn
from ember.utils.data import DataLoader, Dataset, FashionMNIST, TensorDataset


class Squares(Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, index):
        return ember.tensor([float(index)]), index * index


def test_python_dataset_batches():
    batches = list(DataLoader(Squares(), batch_size=4))
    assert len(batches) == 3 and len(DataLoader(Squares(), batch_size=4, drop_last=True)) == 2
    x, y = batches[0]
    assert x.shape == (4, 1) and y.tolist() == [0, 1, 4, 9]
    seen = sorted(int(v) for _, y in DataLoader(Squares(), batch_size=3, shuffle=True) for v in y)
    assert seen == [i * i for i in range(10)]


def test_tensor_dataset_matches_torch():
    data, targets = np.arange(14.0, dtype=np.float32).reshape(7, 2), np.arange(7)
    ours = list(DataLoader(TensorDataset(ember.tensor(data), ember.tensor(targets)), batch_size=3))
    theirs = list(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(data),
                                                                              torch.tensor(targets)), batch_size=3))
    for (ex, ey), (tx, ty) in zip(ours, theirs):
        assert ex.tolist() == tx.tolist() and ey.tolist() == ty.tolist()
    assert TensorDataset(ember.tensor(data), ember.tensor(targets))[2][1].tolist() == 2
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(ember.zeros(2), ember.zeros(3))


@pytest.mark.skipif(not os.path.isdir(FashionMNIST._cpp_class.default_root), reason="no Fashion-MNIST installed")
def test_fashion_mnist_reader():
    test = FashionMNIST(train=False)
    assert len(test) == 10000 and test.data.shape == (10000, 28, 28)
    image, label = test[0]
    assert image.shape == (1, 28, 28) and 0.0 <= float(image.min()) and float(image.max()) <= 1.0
    loader = DataLoader(test, batch_size=1000, shuffle=True, seed=3)
    x, y = next(iter(loader))
    assert len(loader) == 10 and x.shape == (1000, 1, 28, 28) and y.dtype == ember.int64
    x, y = next(iter(DataLoader(test, batch_size=2, sampler=[5, 0])))  # a Python sampler: the Python path
    assert y.tolist() == [test[5][1].item(), test[0][1].item()]
    assert x.tolist() == [test[5][0].tolist(), test[0][0].tolist()]


def test_save_load_round_trip_and_torch_reads_it(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    path = tmp_path / "model.safetensors"
    ember.save(model.state_dict(), path)
    state = ember.load(path)
    assert list(state) == list(model.state_dict())
    fresh = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    fresh.load_state_dict(state)
    assert fresh[0].weight.tolist() == model[0].weight.tolist()
    # The file as any safetensors reader sees it: u64 header size, JSON header, packed little-endian data.
    raw = path.read_bytes()
    size = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + size])
    dtypes = {"F32": np.float32, "I64": np.int64}
    loaded = {name: torch.tensor(np.frombuffer(raw[8 + size + entry["data_offsets"][0]:8 + size + entry["data_offsets"][1]],
                                               dtype=dtypes[entry["dtype"]]).reshape(entry["shape"]))
              for name, entry in header.items() if name != "__metadata__"}
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    theirs.load_state_dict(loaded)
    np.testing.assert_allclose(theirs[0].weight.detach().numpy(), model[0].weight.detach().numpy())


def test_save_rejects_what_is_not_a_state_dict(tmp_path):
    with pytest.raises(TypeError, match="expected a dict of str -> Tensor"):
        ember.save(nn.Linear(1, 1), tmp_path / "x")
