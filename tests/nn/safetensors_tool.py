#!/usr/bin/env python3
"""The Python side of tests/nn/test_serialize.cpp: a small safetensors reader and writer of
its own (struct + json + numpy only, so it shares no code or bugs with ember) and the
PyTorch round trip. Exits non-zero with a message on any mismatch.

  write PATH              the known tensors (every dtype), header order != data order
  check PATH              PATH (written by ember) holds exactly the known tensors
  torch-write PATH IO     a torch.nn model's state_dict to PATH; its input/output to IO
  torch-check PATH IO     PATH (written by ember) loads into that model (strict) and
                          reproduces IO's output from IO's input
The known tensors must match known_tensors() in test_serialize.cpp.
"""
import json
import struct
import sys

import numpy as np

# safetensors dtype -> numpy dtype of the stored bytes (BF16 travels as raw uint16).
DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2",
          "I64": "<i8", "I32": "<i4", "U8": "u1", "BOOL": "u1"}

# (name, dtype, shape), in header order; the values are known_values(dtype, numel, position).
KNOWN = [("f64", "F64", [2, 3]), ("f32", "F32", [3, 4]), ("f16", "F16", [5]),
         ("bf16", "BF16", [2, 2]), ("i64", "I64", [4]), ("i32", "I32", [2, 3]),
         ("u8", "U8", [7]), ("bool", "BOOL", [5]), ("scalar", "F32", []),
         ("empty", "F32", [0, 3]), ("features.0.weight", "F32", [1, 1, 2])]


class Mismatch(Exception):
    pass


def known_values(dtype, n, k):
    """float64 values, exact in every dtype (quarters for the floats; 2e12 for I64)."""
    i = np.arange(n, dtype=np.int64) + k
    if dtype in ("F64", "F32", "F16", "BF16"):
        return ((i * 7 % 23) - 11) / 4.0
    if dtype == "I64":
        return ((i - 2) * 1000000000007).astype(np.float64)
    if dtype == "I32":
        return ((i * 7919 % 100003) - 50000).astype(np.float64)
    if dtype == "U8":
        return ((i * 37 + 200) % 256).astype(np.float64)
    return (i % 3 == 0).astype(np.float64)


def bf16_bits(values):
    """float32 -> bfloat16 bit patterns, rounding to nearest even."""
    bits = np.asarray(values, dtype="<f4").view("<u4").astype(np.uint64)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype("<u2")


def to_stored(dtype, values):
    if dtype == "BF16":
        return bf16_bits(values)
    return np.asarray(values).astype(DTYPES[dtype])


def from_stored(dtype, array):
    """Stored array -> float64 values (BOOL checked to be 0 or 1)."""
    if dtype == "BF16":
        return (array.astype("<u4") << 16).view("<f4").astype(np.float64)
    if dtype == "BOOL" and np.any(array > 1):
        raise Mismatch("BOOL bytes other than 0 and 1")
    return array.astype(np.float64)


def write(path, tensors, metadata=None, reverse_data=False):
    """tensors: list of (name, dtype, numpy array of stored type). reverse_data lays the
    bytes out in the opposite order of the header, which the format allows."""
    header = {"__metadata__": metadata} if metadata else {}
    offset, order = 0, list(reversed(tensors)) if reverse_data else tensors
    spans = {}
    for name, dtype, array in order:
        spans[name] = (offset, offset + array.nbytes)
        offset += array.nbytes
    for name, dtype, array in tensors:
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": list(spans[name])}
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for name, dtype, array in order:
            f.write(np.ascontiguousarray(array).tobytes())


def read(path):
    """-> (metadata, [(name, dtype, numpy array of stored type)] in header order)."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise Mismatch(f"{path}: {len(blob)} bytes, shorter than the header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if 8 + n > len(blob):
        raise Mismatch(f"{path}: header length {n} beyond the file's {len(blob)} bytes")
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors, spans = [], []
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype, shape = info["dtype"], info["shape"]
        count = int(np.prod(shape, dtype=np.int64))
        if end - begin != count * np.dtype(DTYPES[dtype]).itemsize or end > len(data):
            raise Mismatch(f"{path}: {name}: data_offsets {begin, end} do not fit {dtype} {shape}")
        array = np.frombuffer(data[begin:end], dtype=DTYPES[dtype]).reshape(shape)
        tensors.append((name, dtype, array))
        spans.append((begin, end))
    covered = 0
    for begin, end in sorted(spans):
        if begin != covered:
            raise Mismatch(f"{path}: data not densely packed at byte {covered}")
        covered = end
    if covered != len(data):
        raise Mismatch(f"{path}: {len(data) - covered} trailing bytes")
    return metadata, tensors


def known_tensors():
    return [(name, dtype, to_stored(dtype, known_values(dtype, int(np.prod(shape)), k).reshape(shape)))
            for k, (name, dtype, shape) in enumerate(KNOWN)]


def check(path):
    metadata, tensors = read(path)
    if metadata.get("format") != "pt":
        raise Mismatch(f"{path}: expected __metadata__ format 'pt', got {metadata}")
    got_names = [(name, dtype, list(array.shape)) for name, dtype, array in tensors]
    want_names = [(name, dtype, shape) for name, dtype, shape in KNOWN]
    if got_names != want_names:
        raise Mismatch(f"{path}: expected tensors {want_names}, got {got_names}")
    for k, (name, dtype, array) in enumerate(tensors):
        want = known_values(dtype, array.size, k)
        got = from_stored(dtype, array).reshape(-1)
        if not np.array_equal(got, want):
            raise Mismatch(f"{path}: {name}: expected {want.tolist()}, got {got.tolist()}")


def torch_model(seed):
    import torch
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))


def torch_input():
    import torch
    return (torch.arange(8, dtype=torch.float32).reshape(2, 4) - 3.5) / 2


def torch_write(path, io_path):
    import torch
    model = torch_model(0)
    state = [(name, "F32", t.detach().numpy()) for name, t in model.state_dict().items()]
    write(path, state, {"format": "pt"})
    x = torch_input()
    with torch.no_grad():
        y = model(x)
    write(io_path, [("input", "F32", x.numpy()), ("output", "F32", y.numpy())])


def torch_check(path, io_path):
    import torch
    model = torch_model(1)  # a different initialisation: only a real load makes the output match
    _, tensors = read(path)
    state = {name: torch.from_numpy(from_stored(dtype, array).astype(np.float32)) for name, dtype, array in tensors}
    model.load_state_dict(state, strict=True)
    io = {name: from_stored(dtype, array).astype(np.float32) for name, dtype, array in read(io_path)[1]}
    with torch.no_grad():
        y = model(torch.from_numpy(io["input"])).numpy()
    if not np.allclose(y, io["output"], rtol=1e-5, atol=1e-6):
        raise Mismatch(f"{path}: PyTorch's forward gives {y.tolist()}, ember's gave {io['output'].tolist()}")


def main(argv):
    commands = {"write": lambda p: write(p, known_tensors(), {"format": "pt"}, reverse_data=True),
                "check": check, "torch-write": torch_write, "torch-check": torch_check}
    if len(argv) < 2 or argv[0] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        commands[argv[0]](*argv[1:])
    except (Mismatch, KeyError, ValueError, RuntimeError) as e:
        print(f"safetensors_tool.py {argv[0]}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
