#!/usr/bin/python3
# Writes tests/nn/conv_modules_golden.h: PyTorch 1.13's outputs and gradients
# for the conv and pooling modules (tests/nn/test_conv_modules.cpp builds the
# same models with ember, copies the same weights in, and compares).
# Rerun from the repository root after changing a case, and commit both files:
#   /usr/bin/python3 tests/nn/make_conv_modules_golden.py
# Everything is float64 on the CPU. Inputs and weights come from sample(shape, seed, scale):
# sin(seed + 1.37 i) * scale over the flat index i (as tests/nn/golden_inputs.h; no RNG).
# Parameter k (in named_parameters order) of a model is sample(its shape, 40 + k, 0.5).
# Gradients are of sum(out * sample(out.shape, seed_of_g)).
import torch
import torch.nn as nn

from make_layers_golden import sample, write_header  # beside this script

torch.set_default_dtype(torch.float64)
VALUES = []  # (name, comment, flat values)


def emit(name, tensor, comment=""):
    VALUES.append((name, comment, tensor.detach().reshape(-1).tolist()))


def set_parameters(model):
    with torch.no_grad():
        for k, (_, p) in enumerate(model.named_parameters()):
            p.copy_(sample(p.shape, 40 + k, 0.5))


def cnn():
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1),                                        # [2, 4, 12, 12]
        nn.ReLU(),
        nn.MaxPool2d(2),                                                      # [2, 4, 6, 6]
        nn.Conv2d(4, 6, (3, 2), padding="same", dilation=(1, 2), groups=2),  # [2, 6, 6, 6]
        nn.AvgPool2d(2, stride=1, padding=1, count_include_pad=False),        # [2, 6, 7, 7]
        nn.AdaptiveAvgPool2d((3, 2)),                                         # [2, 6, 3, 2]
        nn.Flatten(),                                                         # [2, 36]
        nn.Linear(36, 5))


def cnn_cases():
    model = cnn()
    set_parameters(model)
    x = sample([2, 2, 12, 12], 1, 1.0).requires_grad_()
    out = model(x)
    (out * sample(out.shape, 2)).sum().backward()
    emit("cnn_out", out, "cnn() (see the script) on sample([2, 2, 12, 12], 1, 1.0)")
    emit("cnn_grad_input", x.grad, "gradients, g = sample([2, 5], 2)")
    for name, p in model.named_parameters():
        emit("cnn_grad_" + name.replace(".", "_"), p.grad)


def transpose_cases():
    m = nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1)
    set_parameters(m)
    x = sample([2, 4, 5, 5], 3).requires_grad_()
    out = m(x)
    (out * sample(out.shape, 4)).sum().backward()
    emit("conv_transpose2d_out", out, "ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1) on "
         "sample([2, 4, 5, 5], 3): [2, 3, 10, 10]")
    emit("conv_transpose2d_grad_input", x.grad, "gradients, g = sample(out.shape, 4)")
    emit("conv_transpose2d_grad_weight", m.weight.grad)
    emit("conv_transpose2d_grad_bias", m.bias.grad)

    m = nn.ConvTranspose2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 0), output_padding=(1, 0), groups=2,
                           dilation=(1, 2), bias=False)
    set_parameters(m)
    emit("conv_transpose2d_grouped_out", m(sample([4, 3, 4], 5)),
         "ConvTranspose2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 0), output_padding=(1, 0), groups=2, "
         "dilation=(1, 2), bias=False) on unbatched sample([4, 3, 4], 5): [6, 6, 6]")

    m = nn.Sequential(nn.Conv1d(3, 4, 3, stride=2, padding=1), nn.ConvTranspose1d(4, 2, 3, stride=2, output_padding=1))
    set_parameters(m)
    emit("conv1d_transpose1d_out", m(sample([2, 3, 9], 6)),
         "Sequential(Conv1d(3, 4, 3, stride=2, padding=1), ConvTranspose1d(4, 2, 3, stride=2, output_padding=1)) "
         "on sample([2, 3, 9], 6): [2, 2, 12]")


def main():
    cnn_cases()
    transpose_cases()
    write_header("make_conv_modules_golden.py", "conv_modules_golden", VALUES)


if __name__ == "__main__":
    main()
