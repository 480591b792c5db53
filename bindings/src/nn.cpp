// ember._C.nn: the C++ layers of nn/nn.h as pybind11 classes, each built from
// torch's constructor arguments (given positionally by the Python wrappers of
// ember/nn/modules/) and exposing what a wrapper needs: its own parameters,
// buffers and children (the same tensor handles), train(), to(), extra_repr()
// and forward. The module tree, state_dict and repr are the Python Module's.
#include "bindings.h"

namespace ember::python {
namespace {

using NoGil = py::call_guard<py::gil_scoped_release>;
template <class M, class Base = nn::Module>
using Class = py::class_<M, Base, std::shared_ptr<M>>;

// A pybind11 instance (dtype or device) or None.
std::optional<DType> opt_dtype(const py::object& value, const char* function) {
  if (value.is_none()) return std::nullopt;
  return to_dtype(value, function);
}
std::optional<Device> opt_device(const py::object& value, const char* function) {
  if (value.is_none()) return std::nullopt;
  return to_device(value, function);
}

Tensor forward_one(nn::Module& module, const Tensor& input) {
  py::gil_scoped_release no_gil;
  return module.forward(input);
}

nn::Nonlinearity nonlinearity(const std::string& name) {
  EMBER_CHECK_VALUE(name == "tanh" || name == "relu", "Unknown nonlinearity '{}'. Select from 'tanh' or 'relu'.", name);
  return name == "tanh" ? nn::Nonlinearity::Tanh : nn::Nonlinearity::ReLU;
}

nn::RNNOptions rnn_options(int64_t num_layers, const std::string& nl, bool bias, bool batch_first, double dropout,
                           bool bidirectional, const py::object& dtype, const py::object& device) {
  return {.num_layers = num_layers, .nonlinearity = nonlinearity(nl), .bias = bias, .batch_first = batch_first,
          .dropout = dropout, .bidirectional = bidirectional, .dtype = opt_dtype(dtype, "RNN"),
          .device = opt_device(device, "RNN")};
}

template <class M>
void bind_recurrent(py::module_& m, const char* name) {
  Class<M, nn::RNNBase>(m, name).def(py::init([](int64_t input_size, int64_t hidden_size, int64_t num_layers,
                                                  const std::string& nl, bool bias, bool batch_first, double dropout,
                                                  bool bidirectional, const py::object& dtype, const py::object& device) {
    return std::make_shared<M>(input_size, hidden_size,
                               rnn_options(num_layers, nl, bias, batch_first, dropout, bidirectional, dtype, device));
  }));
}

void bind_module(py::module_& m) {
  py::class_<nn::Module, std::shared_ptr<nn::Module>>(m, "Module")
      .def("forward", &forward_one)
      .def("named_parameters", [](const nn::Module& self) { return self.named_parameters(/*recurse=*/false); })
      .def("named_buffers", [](const nn::Module& self) { return self.named_buffers(/*recurse=*/false); })
      .def("named_children", &nn::Module::named_children)
      .def("train", &nn::Module::train)
      .def("is_training", &nn::Module::is_training)
      .def("to", [](nn::Module& self, const py::object& device, const py::object& dtype) {
        if (!device.is_none() && !dtype.is_none()) self.to(to_device(device, "to"), to_dtype(dtype, "to"));
        else if (!device.is_none()) self.to(to_device(device, "to"));
        else if (!dtype.is_none()) self.to(to_dtype(dtype, "to"));
      })
      .def("extra_repr", &nn::Module::extra_repr)
      .def_property_readonly("type_name", [](const nn::Module& self) { return std::string(self.name()); });
}

void bind_layers(py::module_& m) {
  Class<nn::Linear>(m, "Linear").def(py::init([](int64_t in, int64_t out, bool bias, const py::object& dtype,
                                                 const py::object& device) {
    return std::make_shared<nn::Linear>(in, out, nn::LinearOptions{.bias = bias, .dtype = opt_dtype(dtype, "Linear"),
                                                                   .device = opt_device(device, "Linear")});
  }));
  Class<nn::NonDynamicallyQuantizableLinear, nn::Linear>(m, "NonDynamicallyQuantizableLinear");
  Class<nn::Bilinear>(m, "Bilinear")
      .def(py::init([](int64_t in1, int64_t in2, int64_t out, bool bias, const py::object& dtype,
                       const py::object& device) {
        return std::make_shared<nn::Bilinear>(in1, in2, out, nn::BilinearOptions{.bias = bias,
            .dtype = opt_dtype(dtype, "Bilinear"), .device = opt_device(device, "Bilinear")});
      }))
      .def("forward", py::overload_cast<const Tensor&, const Tensor&>(&nn::Bilinear::forward), NoGil());

  Class<nn::ConvNd>(m, "ConvNd");
  const auto conv = [&m]<class M>(const char* name) {
    Class<M, nn::ConvNd>(m, name).def(py::init([name](int64_t in, int64_t out, std::vector<int64_t> kernel,
                                                      std::vector<int64_t> stride, const py::object& padding,
                                                      std::vector<int64_t> dilation, int64_t groups, bool bias,
                                                      const py::object& dtype, const py::object& device) {
      return std::make_shared<M>(in, out, IntArrayRef(kernel),
                                 nn::ConvNdOptions{.stride = IntArrayRef(stride), .padding = to_conv_padding(padding),
                                                   .dilation = IntArrayRef(dilation), .groups = groups, .bias = bias,
                                                   .dtype = opt_dtype(dtype, name), .device = opt_device(device, name)});
    }));
  };
  conv.operator()<nn::Conv1d>("Conv1d");
  conv.operator()<nn::Conv2d>("Conv2d");
  const auto conv_transpose = [&m]<class M>(const char* name) {
    Class<M, nn::ConvNd>(m, name).def(py::init([name](int64_t in, int64_t out, std::vector<int64_t> kernel,
                                                      std::vector<int64_t> stride, std::vector<int64_t> padding,
                                                      std::vector<int64_t> output_padding, int64_t groups, bool bias,
                                                      std::vector<int64_t> dilation, const py::object& dtype,
                                                      const py::object& device) {
      return std::make_shared<M>(in, out, IntArrayRef(kernel),
                                 nn::ConvTransposeNdOptions{.stride = IntArrayRef(stride),
                                                            .padding = IntArrayRef(padding),
                                                            .output_padding = IntArrayRef(output_padding),
                                                            .groups = groups, .bias = bias,
                                                            .dilation = IntArrayRef(dilation),
                                                            .dtype = opt_dtype(dtype, name),
                                                            .device = opt_device(device, name)});
    }));
  };
  conv_transpose.operator()<nn::ConvTranspose1d>("ConvTranspose1d");
  conv_transpose.operator()<nn::ConvTranspose2d>("ConvTranspose2d");

  Class<nn::MaxPool2d>(m, "MaxPool2d")
      .def(py::init([](std::vector<int64_t> kernel, std::optional<std::vector<int64_t>> stride,
                       std::vector<int64_t> padding, std::vector<int64_t> dilation, bool ceil_mode) {
        return std::make_shared<nn::MaxPool2d>(IntArrayRef(kernel),
            MaxPoolOptions{.stride = stride ? SpatialSize(IntArrayRef(*stride)) : SpatialSize({}),
                           .padding = IntArrayRef(padding), .dilation = IntArrayRef(dilation),
                           .ceil_mode = ceil_mode});
      }))
      .def("forward_with_indices", &nn::MaxPool2d::forward_with_indices, NoGil());
  Class<nn::AvgPool2d>(m, "AvgPool2d")
      .def(py::init([](std::vector<int64_t> kernel, std::optional<std::vector<int64_t>> stride,
                       std::vector<int64_t> padding, bool ceil_mode, bool count_include_pad,
                       std::optional<int64_t> divisor_override) {
        return std::make_shared<nn::AvgPool2d>(IntArrayRef(kernel),
            AvgPoolOptions{.stride = stride ? SpatialSize(IntArrayRef(*stride)) : SpatialSize({}),
                           .padding = IntArrayRef(padding), .ceil_mode = ceil_mode,
                           .count_include_pad = count_include_pad, .divisor_override = divisor_override});
      }));
  Class<nn::AdaptiveAvgPool2d>(m, "AdaptiveAvgPool2d").def(py::init([](std::vector<int64_t> output_size) {
    return std::make_shared<nn::AdaptiveAvgPool2d>(IntArrayRef(output_size));
  }));

  Class<nn::BatchNorm>(m, "BatchNorm");
  const auto batch_norm = [&m]<class M>(const char* name) {
    Class<M, nn::BatchNorm>(m, name).def(py::init([name](int64_t num_features, double eps,
                                                         std::optional<double> momentum, bool affine,
                                                         bool track_running_stats, const py::object& dtype,
                                                         const py::object& device) {
      return std::make_shared<M>(num_features, nn::BatchNormOptions{.eps = eps, .momentum = momentum,
                                                                    .affine = affine,
                                                                    .track_running_stats = track_running_stats,
                                                                    .dtype = opt_dtype(dtype, name),
                                                                    .device = opt_device(device, name)});
    }));
  };
  batch_norm.operator()<nn::BatchNorm1d>("BatchNorm1d");
  batch_norm.operator()<nn::BatchNorm2d>("BatchNorm2d");
  Class<nn::LayerNorm>(m, "LayerNorm")
      .def(py::init([](std::vector<int64_t> normalized_shape, double eps, bool elementwise_affine) {
        return std::make_shared<nn::LayerNorm>(normalized_shape, nn::LayerNormOptions{
            .eps = eps, .elementwise_affine = elementwise_affine});
      }));
  Class<nn::GroupNorm>(m, "GroupNorm")
      .def(py::init([](int64_t num_groups, int64_t num_channels, double eps, bool affine, const py::object& dtype,
                       const py::object& device) {
        return std::make_shared<nn::GroupNorm>(num_groups, num_channels, nn::GroupNormOptions{
            .eps = eps, .affine = affine, .dtype = opt_dtype(dtype, "GroupNorm"),
            .device = opt_device(device, "GroupNorm")});
      }));

  Class<nn::Dropout>(m, "Dropout").def(py::init<double>());
  Class<nn::Embedding>(m, "Embedding")
      .def(py::init([](int64_t num, int64_t dim, std::optional<int64_t> padding_idx, const py::object& dtype,
                       const py::object& device) {
        return std::make_shared<nn::Embedding>(num, dim, nn::EmbeddingOptions{
            .padding_idx = padding_idx, .dtype = opt_dtype(dtype, "Embedding"),
            .device = opt_device(device, "Embedding")});
      }))
      .def_static("from_pretrained", [](const Tensor& embeddings, bool freeze, std::optional<int64_t> padding_idx) {
        return std::make_shared<nn::Embedding>(nn::Embedding::from_pretrained(embeddings, freeze, padding_idx));
      });
  Class<nn::Flatten>(m, "Flatten").def(py::init<int64_t, int64_t>());
  Class<nn::Unflatten>(m, "Unflatten").def(py::init<int64_t, std::vector<int64_t>>());
  Class<nn::Identity>(m, "Identity").def(py::init<>());

  Class<nn::RNNBase>(m, "RNNBase");
  bind_recurrent<nn::RNN>(m, "RNN");
  bind_recurrent<nn::LSTM>(m, "LSTM");
  bind_recurrent<nn::GRU>(m, "GRU");
  // torch's returns: (output, h_n), and (output, (h_n, c_n)) for LSTM; hx None starts from zeros.
  m.def("rnn_forward", [](nn::Module& module, const Tensor& input, const py::object& hx) -> py::tuple {
    if (auto* lstm = dynamic_cast<nn::LSTM*>(&module)) {
      Tensor h0, c0;
      if (!hx.is_none()) std::tie(h0, c0) = hx.cast<std::pair<Tensor, Tensor>>();
      nn::LSTMResult out;
      {
        py::gil_scoped_release no_gil;
        out = lstm->forward(input, h0, c0);
      }
      return py::make_tuple(out.output, py::make_tuple(out.h_n, out.c_n));
    }
    const Tensor h0 = hx.is_none() ? Tensor() : hx.cast<Tensor>();
    nn::RNNResult out;
    {
      py::gil_scoped_release no_gil;
      if (auto* rnn = dynamic_cast<nn::RNN*>(&module)) out = rnn->forward(input, h0);
      else out = dynamic_cast<nn::GRU&>(module).forward(input, h0);
    }
    return py::make_tuple(out.output, out.h_n);
  });

  Class<nn::MultiheadAttention>(m, "MultiheadAttention")
      .def(py::init([](int64_t embed_dim, int64_t num_heads, double dropout, bool bias, bool add_bias_kv,
                       bool add_zero_attn, std::optional<int64_t> kdim, std::optional<int64_t> vdim,
                       bool batch_first, const py::object& dtype, const py::object& device) {
        return std::make_shared<nn::MultiheadAttention>(embed_dim, num_heads, nn::MultiheadAttentionOptions{
            .dropout = dropout, .bias = bias, .add_bias_kv = add_bias_kv, .add_zero_attn = add_zero_attn,
            .kdim = kdim, .vdim = vdim, .batch_first = batch_first,
            .dtype = opt_dtype(dtype, "MultiheadAttention"), .device = opt_device(device, "MultiheadAttention")});
      }))
      .def("forward", [](nn::MultiheadAttention& self, const Tensor& query, const Tensor& key, const Tensor& value,
                         const std::optional<Tensor>& key_padding_mask, bool need_weights,
                         const std::optional<Tensor>& attn_mask, bool average_attn_weights) -> py::tuple {
        nn::MultiheadAttentionOutput out;
        {
          py::gil_scoped_release no_gil;
          out = self.forward(query, key, value, {.key_padding_mask = key_padding_mask.value_or(Tensor()),
                                                 .need_weights = need_weights,
                                                 .attn_mask = attn_mask.value_or(Tensor()),
                                                 .average_attn_weights = average_attn_weights});
        }
        return py::make_tuple(out.output, out.attn_weights.defined() ? py::cast(out.attn_weights) : py::none());
      });

  Class<nn::ReLU>(m, "ReLU").def(py::init<>());
  Class<nn::Sigmoid>(m, "Sigmoid").def(py::init<>());
  Class<nn::Tanh>(m, "Tanh").def(py::init<>());
  Class<nn::SiLU>(m, "SiLU").def(py::init<>());
  Class<nn::GELU>(m, "GELU").def(py::init<std::string>());
  Class<nn::LeakyReLU>(m, "LeakyReLU").def(py::init<double>());
  Class<nn::ELU>(m, "ELU").def(py::init<double>());
  Class<nn::Softplus>(m, "Softplus").def(py::init<double, double>());
  Class<nn::Softmax>(m, "Softmax").def(py::init<int64_t>());
  Class<nn::LogSoftmax>(m, "LogSoftmax").def(py::init<int64_t>());
}

}  // namespace

void bind_nn(py::module_& m) {
  py::module_ nn = m.def_submodule("nn", "the C++ layers (use ember.nn)");
  bind_module(nn);
  bind_layers(nn);
  bind_functional(nn);
  bind_init(nn);
}

}  // namespace ember::python
