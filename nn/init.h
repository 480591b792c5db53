// Parameter initialisation, as torch.nn.init: each fills a tensor in place
// without recording (NoGradGuard) and returns it. Fan-in/fan-out follow
// PyTorch (dim 1 and dim 0, times the receptive field for conv weights).
#pragma once

#include <ember/core/tensor.h>

#include <string_view>

namespace ember::nn::init {

enum class FanMode { FanIn, FanOut };

// gain for a nonlinearity: "linear"/"sigmoid"/conv: 1, "tanh": 5/3, "relu": sqrt(2), "leaky_relu": sqrt(2/(1+a^2)), "selu": 3/4.
double calculate_gain(std::string_view nonlinearity, double param = 0.01);
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor);

Tensor& uniform_(Tensor& tensor, double a = 0.0, double b = 1.0);
Tensor& normal_(Tensor& tensor, double mean = 0.0, double std = 1.0);
Tensor& constant_(Tensor& tensor, double value);
Tensor& zeros_(Tensor& tensor);
Tensor& ones_(Tensor& tensor);
Tensor& xavier_uniform_(Tensor& tensor, double gain = 1.0);
Tensor& xavier_normal_(Tensor& tensor, double gain = 1.0);
Tensor& kaiming_uniform_(Tensor& tensor, double a = 0.0, FanMode mode = FanMode::FanIn,
                         std::string_view nonlinearity = "leaky_relu");
Tensor& kaiming_normal_(Tensor& tensor, double a = 0.0, FanMode mode = FanMode::FanIn,
                        std::string_view nonlinearity = "leaky_relu");
// A (semi-)orthogonal matrix from the QR decomposition of a normal one, times gain.
Tensor& orthogonal_(Tensor& tensor, double gain = 1.0);

}  // namespace ember::nn::init
