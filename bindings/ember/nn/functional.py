"""ember.nn.functional (F): nn/functional.h and the activation ops under torch's
names and keywords, bound in ember._C.nn (bindings/src/nn_functional.cpp)."""
from ember._C import log_softmax, softmax  # noqa: F401 (torch's F.softmax(input, dim))
from ember._C.nn import (adaptive_avg_pool2d, avg_pool2d, batch_norm, bilinear, binary_cross_entropy,  # noqa: F401
                         binary_cross_entropy_with_logits, conv1d, conv2d, conv_transpose1d, conv_transpose2d,
                         cross_entropy, dropout, elu, embedding, gelu, group_norm, hardtanh, kl_div, l1_loss,
                         layer_norm, leaky_relu, linear, max_pool2d, mse_loss, nll_loss, one_hot, pad, relu, relu6,
                         scaled_dot_product_attention, sigmoid, silu, smooth_l1_loss, softplus, tanh)
