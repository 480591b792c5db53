#!/usr/bin/python3
# Writes tests/ops/conv_golden.h: PyTorch 1.13's outputs and gradients for the
# convolution and pooling cases of tests/ops/test_conv.cpp and test_pool.cpp.
# Rerun from the repository root after changing a case, and commit both files:
#   /usr/bin/python3 tests/ops/make_conv_golden.py
# Inputs are formulas both sides compute (see fill() here and in the tests):
# input sin(0.37 i + 0.1), weight 0.5 cos(0.23 i + 0.2), bias 0.1 i - 0.2,
# and the gradient is of sum(out * sin(0.11 i + 0.3)). All in float64.
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def fill(shape, scale, shift, amplitude=1.0, fn=torch.sin):
    n = 1
    for s in shape:
        n *= s
    return (amplitude * fn(torch.arange(n, dtype=torch.float64) * scale + shift)).reshape(shape)


def make_input(shape):
    return fill(shape, 0.37, 0.1).requires_grad_()


def make_weight(shape):
    return fill(shape, 0.23, 0.2, 0.5, torch.cos).requires_grad_()


def make_bias(n):
    return (torch.arange(n, dtype=torch.float64) * 0.1 - 0.2).requires_grad_()


def cotangent(out):
    return fill(out.shape, 0.11, 0.3)


# name, op, input shape, weight shape, bias, keyword arguments (as F.* takes them)
CONV_CASES = [
    ("conv2d_plain", "conv2d", [2, 3, 5, 6], [4, 3, 3, 3], True, dict()),
    ("conv2d_stride_padding", "conv2d", [1, 2, 7, 7], [3, 2, 3, 3], True, dict(stride=2, padding=1)),
    ("conv2d_dilation_asymmetric", "conv2d", [2, 2, 8, 7], [2, 2, 3, 2], False,
     dict(stride=(1, 2), padding=(1, 2), dilation=2)),
    ("conv2d_groups", "conv2d", [1, 4, 5, 5], [6, 2, 3, 3], True, dict(groups=2)),
    ("conv2d_depthwise", "conv2d", [2, 3, 6, 5], [3, 1, 3, 3], True, dict(groups=3, padding=1)),
    ("conv2d_same_even_kernel", "conv2d", [1, 2, 5, 6], [3, 2, 4, 2], True, dict(padding="same", dilation=(1, 2))),
    ("conv2d_valid", "conv2d", [1, 1, 4, 4], [2, 1, 2, 2], False, dict(padding="valid")),
    ("conv2d_unbatched", "conv2d", [2, 5, 5], [3, 2, 2, 2], True, dict(stride=(2, 1))),
    ("conv1d_stride_padding", "conv1d", [2, 3, 9], [4, 3, 3], True, dict(stride=2, padding=1)),
    ("conv1d_unbatched_dilation", "conv1d", [3, 7], [2, 3, 2], False, dict(dilation=3)),
    ("conv_transpose2d_output_padding", "conv_transpose2d", [2, 3, 4, 5], [3, 2, 3, 3], True,
     dict(stride=2, padding=1, output_padding=1)),
    ("conv_transpose2d_groups_dilation", "conv_transpose2d", [1, 6, 3, 4], [6, 1, 2, 3], True,
     dict(stride=(1, 2), padding=(0, 1), groups=3, dilation=2)),
    ("conv_transpose1d", "conv_transpose1d", [2, 2, 5], [2, 3, 3], False, dict(stride=3, padding=2, output_padding=2)),
]


def literal(values):
    return "{" + ", ".join(repr(float(v)) for v in values) + "}"


def ints(values):
    return "{" + ", ".join(str(int(v)) for v in values) + "}"


def conv_case(name, op, input_shape, weight_shape, with_bias, kwargs):
    x, w = make_input(input_shape), make_weight(weight_shape)
    b = make_bias(weight_shape[0] if op.startswith("conv") and "transpose" not in op else
                  weight_shape[1] * kwargs.get("groups", 1)) if with_bias else None
    out = getattr(F, op)(x, w, b, **kwargs)
    (out * cotangent(out)).sum().backward()
    spatial = len(weight_shape) - 2

    def sizes(key, default):
        v = kwargs.get(key, default)
        if isinstance(v, str):
            return [0] * spatial
        return list(v) if isinstance(v, tuple) else [v] * spatial

    padding = kwargs.get("padding", 0)
    mode = f'"{padding}"' if isinstance(padding, str) else '""'
    return (f'  {{"{name}", "{op}", {ints(input_shape)}, {ints(weight_shape)}, {str(with_bias).lower()}, '
            f'{ints(sizes("stride", 1))}, {ints(sizes("padding", 0))}, {mode}, {ints(sizes("dilation", 1))}, '
            f'{ints(sizes("output_padding", 0))}, {kwargs.get("groups", 1)},\n'
            f'   {ints(out.shape)}, {literal(out.detach().flatten())},\n'
            f'   {literal(x.grad.flatten())},\n   {literal(w.grad.flatten())},\n'
            f'   {literal(b.grad.flatten()) if b is not None else "{}"}}},\n')


# name, op, input shape, keyword arguments; adaptive_avg_pool2d's "kernel" is its output_size.
POOL_CASES = [
    ("max_pool2d_stride_padding", "max_pool2d", [2, 3, 7, 6], dict(kernel_size=3, stride=2, padding=1)),
    ("max_pool2d_default_stride", "max_pool2d", [1, 2, 6, 6], dict(kernel_size=2)),
    ("max_pool2d_dilation_ceil", "max_pool2d", [2, 2, 9, 8],
     dict(kernel_size=(2, 3), stride=(2, 3), padding=(1, 0), dilation=2, ceil_mode=True)),
    ("max_pool2d_unbatched_ceil", "max_pool2d", [3, 5, 5], dict(kernel_size=2, stride=2, ceil_mode=True)),
    ("avg_pool2d_include_pad", "avg_pool2d", [2, 2, 7, 6], dict(kernel_size=3, stride=2, padding=1)),
    ("avg_pool2d_exclude_pad", "avg_pool2d", [2, 2, 7, 6],
     dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ("avg_pool2d_ceil_overhang", "avg_pool2d", [1, 2, 6, 7], dict(kernel_size=(3, 2), stride=2, padding=1,
                                                                   ceil_mode=True)),
    ("avg_pool2d_divisor_override", "avg_pool2d", [1, 3, 5, 5], dict(kernel_size=2, stride=1, divisor_override=5)),
    ("adaptive_avg_pool2d_uneven", "adaptive_avg_pool2d", [2, 3, 7, 5], dict(output_size=(3, 2))),
    ("adaptive_avg_pool2d_global", "adaptive_avg_pool2d", [2, 4, 5, 6], dict(output_size=1)),
    ("adaptive_avg_pool2d_unbatched_upsample", "adaptive_avg_pool2d", [2, 3, 3], dict(output_size=(4, 5))),
]


def pool_case(name, op, input_shape, kwargs):
    x = make_input(input_shape)
    indices = []
    if op == "max_pool2d":
        out, idx = F.max_pool2d(x, return_indices=True, **kwargs)
        indices = idx.flatten().tolist()
    else:
        out = getattr(F, op)(x, **kwargs)
    (out * cotangent(out)).sum().backward()

    def pair(key, default):
        v = kwargs.get(key, default)
        return list(v) if isinstance(v, tuple) else [v, v]

    kernel = pair("output_size" if op.startswith("adaptive") else "kernel_size", 0)
    stride = pair("stride", 0) if "stride" in kwargs else []
    return (f'  {{"{name}", "{op}", {ints(input_shape)}, {ints(kernel)}, {ints(stride)}, {ints(pair("padding", 0))}, '
            f'{ints(pair("dilation", 1))}, {str(kwargs.get("ceil_mode", False)).lower()}, '
            f'{str(kwargs.get("count_include_pad", True)).lower()}, {kwargs.get("divisor_override", 0)},\n'
            f'   {ints(out.shape)}, {literal(out.detach().flatten())},\n   {literal(x.grad.flatten())},\n'
            f'   {ints(indices)}}},\n')


def main():
    lines = ["// Generated by tests/ops/make_conv_golden.py from PyTorch " + torch.__version__ + "; do not edit.\n",
             "#pragma once\n\n#include <cstdint>\n#include <vector>\n\n",
             "struct ConvGolden {\n  const char* name;\n  const char* op;\n",
             "  std::vector<int64_t> input_shape, weight_shape;\n  bool bias;\n",
             "  std::vector<int64_t> stride, padding;\n  const char* padding_mode;  // \"\", \"same\" or \"valid\"\n",
             "  std::vector<int64_t> dilation, output_padding;\n  int64_t groups;\n",
             "  std::vector<int64_t> out_shape;\n  std::vector<double> out, grad_input, grad_weight, grad_bias;\n};\n\n",
             "inline const std::vector<ConvGolden> kConvGolden = {\n"]
    lines += [conv_case(*case) for case in CONV_CASES]
    lines.append("};\n\n")
    lines += ["struct PoolGolden {\n  const char* name;\n  const char* op;\n",
              "  std::vector<int64_t> input_shape, kernel, stride /* empty: the kernel's */, padding, dilation;\n",
              "  bool ceil_mode, count_include_pad;\n  int64_t divisor_override;  // 0: none\n",
              "  std::vector<int64_t> out_shape;\n  std::vector<double> out, grad_input;\n",
              "  std::vector<int64_t> indices;  // max_pool2d only\n};\n\n",
              "inline const std::vector<PoolGolden> kPoolGolden = {\n"]
    lines += [pool_case(*case) for case in POOL_CASES]
    lines.append("};\n")
    with open("tests/ops/conv_golden.h", "w") as f:
        f.write("".join(lines))


main()
