#!/usr/bin/python3
# Writes tests/nn/layers_golden.h: PyTorch 1.13's values and gradients for the
# layer tests (tests/nn/test_embedding.cpp, test_bilinear.cpp, test_group_norm.cpp,
# test_attention.cpp rebuild the same inputs with ember and compare).
# Rerun from the repository root after changing a case, and commit both files:
#   /usr/bin/python3 tests/nn/make_layers_golden.py
# Everything is float64 on the CPU. Inputs and weights come from sample(shape, seed, scale):
# sin(seed + 1.37 i) * scale over the flat index i, built the same way on both sides (no RNG).
# Gradients are of sum(out * sample(out.shape, seed_of_g)) (and of the attention weights likewise).
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
VALUES = []  # (name, comment, flat values)


def sample(shape, seed, scale=0.8):
    n = math.prod(shape)
    return torch.tensor([math.sin(seed + 1.37 * i) * scale for i in range(n)]).reshape(shape)


def leaf(shape, seed, scale=0.8):
    return sample(shape, seed, scale).requires_grad_()


def emit(name, tensor, comment=""):
    VALUES.append((name, comment, tensor.detach().reshape(-1).tolist()))


def backward_of(out, seed):
    (out * sample(out.shape, seed)).sum().backward()


# ---- Embedding ---------------------------------------------------------------------
def embedding_cases():
    weight = leaf([10, 3], 1)
    index = torch.tensor([[1, 7, 7], [9, 0, 2]])
    out = F.embedding(index, weight, padding_idx=0)
    backward_of(out, 2)
    emit("embedding_out", out, "F.embedding(index [[1, 7, 7], [9, 0, 2]], weight sample([10, 3], 1), padding_idx=0)")
    emit("embedding_grad_weight", weight.grad, "its weight gradient, g = sample([2, 3, 3], 2)")


# ---- Bilinear ----------------------------------------------------------------------
def bilinear_cases():
    x1, x2 = leaf([2, 3, 4], 3), leaf([2, 3, 5], 4)
    weight, bias = leaf([3, 4, 5], 5, 0.5), leaf([3], 6)
    out = F.bilinear(x1, x2, weight, bias)
    backward_of(out, 7)
    emit("bilinear_out", out, "F.bilinear(sample([2, 3, 4], 3), sample([2, 3, 5], 4), sample([3, 4, 5], 5, 0.5), "
         "sample([3], 6))")
    emit("bilinear_grad_input1", x1.grad, "gradients, g = sample([2, 3, 3], 7)")
    emit("bilinear_grad_input2", x2.grad)
    emit("bilinear_grad_weight", weight.grad)
    emit("bilinear_grad_bias", bias.grad)


# ---- GroupNorm ---------------------------------------------------------------------
def group_norm_cases():
    x, weight, bias = leaf([2, 6, 3], 8, 2.0), leaf([6], 9), leaf([6], 10)
    out = F.group_norm(x, 3, weight, bias, eps=1e-5)
    backward_of(out, 11)
    emit("group_norm_out", out, "F.group_norm(sample([2, 6, 3], 8, 2.0), 3, sample([6], 9), sample([6], 10))")
    emit("group_norm_grad_input", x.grad, "gradients, g = sample([2, 6, 3], 11)")
    emit("group_norm_grad_weight", weight.grad)
    emit("group_norm_grad_bias", bias.grad)
    plain = nn.GroupNorm(2, 4, eps=1e-3, affine=False)
    emit("group_norm_plain_out", plain(sample([2, 4, 2, 2], 12)),
         "nn.GroupNorm(2, 4, eps=1e-3, affine=False)(sample([2, 4, 2, 2], 12))")


# ---- scaled_dot_product_attention (PyTorch 2's semantics, written out by hand) -------
def sdpa_by_hand(q, k, v, attn_mask=None, is_causal=False, scale=None):
    scale = 1.0 / math.sqrt(q.size(-1)) if scale is None else scale
    L, S = q.size(-2), k.size(-2)
    if is_causal:
        attn_mask = torch.ones(L, S, dtype=torch.bool).tril()
    scores = q @ k.transpose(-2, -1) * scale
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:  # True takes part
            attn_mask = torch.zeros(attn_mask.shape).masked_fill(attn_mask.logical_not(), float("-inf"))
        scores = scores + attn_mask
    return torch.softmax(scores, dim=-1) @ v


SDPA_BOOL_MASK = [[True, False, True, True, False], [True, True, False, True, True], [False, True, True, False, True]]


def sdpa_cases():
    q, k, v = leaf([2, 3, 4], 13), leaf([2, 5, 4], 14), leaf([2, 5, 6], 15)
    assert torch.autograd.gradcheck(lambda *t: sdpa_by_hand(*t, attn_mask=sample([2, 1, 5], 17)), (q, k, v))
    assert torch.autograd.gradcheck(lambda *t: sdpa_by_hand(*t, is_causal=True), (q, k, v))
    out = sdpa_by_hand(q, k, v)
    backward_of(out, 16)
    emit("sdpa_out", out, "softmax(q k^T / sqrt(4)) v, q sample([2, 3, 4], 13), k sample([2, 5, 4], 14), "
         "v sample([2, 5, 6], 15)")
    emit("sdpa_grad_query", q.grad, "gradients, g = sample([2, 3, 6], 16)")
    emit("sdpa_grad_key", k.grad)
    emit("sdpa_grad_value", v.grad)
    emit("sdpa_bool_mask_out", sdpa_by_hand(q, k, v, attn_mask=torch.tensor(SDPA_BOOL_MASK)),
         "attn_mask: bool [3, 5], true takes part")
    emit("sdpa_float_mask_out", sdpa_by_hand(q, k, v, attn_mask=sample([2, 1, 5], 17)),
         "attn_mask: float sample([2, 1, 5], 17), added")
    emit("sdpa_causal_out", sdpa_by_hand(q, k, v, is_causal=True), "is_causal: the top-left [3, 5] triangle")
    emit("sdpa_scale_out", sdpa_by_hand(q, k, v, scale=0.3), "scale 0.3")


# ---- MultiheadAttention --------------------------------------------------------------
# E = 8, 2 heads, L = 3, S = 4, N = 2. Parameters are set from samples (seeds 20..).
def mha(**kwargs):
    m = nn.MultiheadAttention(8, 2, **kwargs)
    with torch.no_grad():
        if m.in_proj_weight is not None:
            m.in_proj_weight.copy_(sample([24, 8], 20, 0.5))
        else:
            m.q_proj_weight.copy_(sample(m.q_proj_weight.shape, 27, 0.5))
            m.k_proj_weight.copy_(sample(m.k_proj_weight.shape, 28, 0.5))
            m.v_proj_weight.copy_(sample(m.v_proj_weight.shape, 29, 0.5))
        if m.in_proj_bias is not None:
            m.in_proj_bias.copy_(sample([24], 21, 0.2))
            m.out_proj.bias.copy_(sample([8], 23, 0.2))
        m.out_proj.weight.copy_(sample([8, 8], 22, 0.5))
        if m.bias_k is not None:
            m.bias_k.copy_(sample([1, 1, 8], 31))
            m.bias_v.copy_(sample([1, 1, 8], 32))
    return m.train()


KEY_PADDING = [[False, False, False, True], [False, True, False, False]]
ATTN_BOOL = [[False, False, True, True], [False, False, False, True], [False, False, False, False]]


def mha_cases():
    m = mha()
    q, k, v = leaf([3, 2, 8], 24), leaf([4, 2, 8], 25), leaf([4, 2, 8], 26)
    out, weights = m(q, k, v)
    (out * sample(out.shape, 33)).sum().add((weights * sample(weights.shape, 34)).sum()).backward()
    emit("mha_out", out, "MultiheadAttention(8, 2), query sample([3, 2, 8], 24), key sample([4, 2, 8], 25), "
         "value sample([4, 2, 8], 26)")
    emit("mha_weights", weights, "averaged over heads [2, 3, 4]")
    emit("mha_grad_query", q.grad, "gradients of sum(out * sample(33)) + sum(weights * sample(34))")
    emit("mha_grad_key", k.grad)
    emit("mha_grad_value", v.grad)
    emit("mha_grad_in_proj_weight", m.in_proj_weight.grad)
    emit("mha_grad_in_proj_bias", m.in_proj_bias.grad)
    emit("mha_grad_out_proj_weight", m.out_proj.weight.grad)
    emit("mha_grad_out_proj_bias", m.out_proj.bias.grad)

    m = mha(batch_first=True)
    out, weights = m(sample([2, 3, 8], 24), sample([2, 4, 8], 25), sample([2, 4, 8], 26),
                     key_padding_mask=torch.tensor(KEY_PADDING), attn_mask=torch.tensor(ATTN_BOOL),
                     average_attn_weights=False)
    emit("mha_bool_masks_out", out, "batch_first, query sample([2, 3, 8], 24), key/value sample([2, 4, 8], 25/26), "
         "bool key_padding_mask and attn_mask (true: masked out)")
    emit("mha_bool_masks_weights", weights, "per head [2, 2, 3, 4]")

    m = mha(kdim=5, vdim=6)
    q, k, v = leaf([3, 2, 8], 24), leaf([4, 2, 5], 25), leaf([4, 2, 6], 26)
    out, weights = m(q, k, v, key_padding_mask=torch.tensor(KEY_PADDING), attn_mask=sample([4, 3, 4], 30))
    (out * sample(out.shape, 33)).sum().backward()
    emit("mha_kv_dims_out", out, "kdim 5, vdim 6, key sample([4, 2, 5], 25), value sample([4, 2, 6], 26), "
         "float attn_mask sample([4, 3, 4], 30), bool key_padding_mask")
    emit("mha_kv_dims_weights", weights)
    emit("mha_kv_dims_grad_key", k.grad, "gradients of sum(out * sample(33))")
    emit("mha_kv_dims_grad_value", v.grad)
    emit("mha_kv_dims_grad_q_proj_weight", m.q_proj_weight.grad)
    emit("mha_kv_dims_grad_k_proj_weight", m.k_proj_weight.grad)
    emit("mha_kv_dims_grad_v_proj_weight", m.v_proj_weight.grad)

    m = mha()
    out, weights = m(sample([3, 8], 24), sample([4, 8], 25), sample([4, 8], 26),
                     key_padding_mask=torch.tensor(KEY_PADDING[1]), attn_mask=sample([3, 4], 35))
    emit("mha_unbatched_out", out, "unbatched: query sample([3, 8], 24), key/value sample([4, 8], 25/26), "
         "key_padding_mask [F, T, F, F], float attn_mask sample([3, 4], 35)")
    emit("mha_unbatched_weights", weights)

    m = mha(add_bias_kv=True, add_zero_attn=True)
    out, weights = m(sample([3, 2, 8], 24), sample([4, 2, 8], 25), sample([4, 2, 8], 26),
                     key_padding_mask=torch.tensor(KEY_PADDING), attn_mask=torch.tensor(ATTN_BOOL))
    (out * sample(out.shape, 33)).sum().backward()
    emit("mha_bias_kv_out", out, "add_bias_kv (bias_k sample([1, 1, 8], 31), bias_v 32) and add_zero_attn, "
         "bool masks as above")
    emit("mha_bias_kv_weights", weights, "[2, 3, 6]: the 4 keys, bias_k, the zero key")
    emit("mha_bias_kv_grad_bias_k", m.bias_k.grad, "gradients of sum(out * sample(33))")
    emit("mha_bias_kv_grad_bias_v", m.bias_v.grad)


def main():
    embedding_cases()
    bilinear_cases()
    group_norm_cases()
    sdpa_cases()
    mha_cases()
    write_header("make_layers_golden.py", "layers_golden", VALUES)


def write_header(script, namespace, values):
    """Writes tests/nn/<namespace>.h: one std::vector<double> per (name, comment, values), generated by script."""
    out = [f"// GENERATED by tests/nn/{script} with PyTorch " + torch.__version__ + ": do not edit.",
           f"// Rerun from the repository root: /usr/bin/python3 tests/nn/{script}",
           "#pragma once", "", "#include <vector>", "", f"namespace {namespace} {{", ""]
    for name, comment, flat in values:
        if comment:
            out.append("// " + comment)
        out.append(f"inline const std::vector<double> {name} = {{" + ", ".join(repr(x) for x in flat) + "};")
    out += ["", f"}}  // namespace {namespace}", ""]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), namespace + ".h")
    with open(path, "w") as f:
        f.write("\n".join(out))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
