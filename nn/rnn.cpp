// RNN, LSTM, GRU (nn/rnn.h): the layer/direction loop once, three cells.
// The input projection of every time step is one matmul per layer and
// direction; only the hidden projection runs step by step.
#include <ember/nn/functional.h>
#include <ember/nn/init.h>
#include <ember/nn/rnn.h>

#include <fmt/format.h>

#include <cmath>

namespace ember::nn {

RNNBase::RNNBase(Kind kind, int64_t input_size, int64_t hidden_size, const RNNOptions& options)
    : input_size(input_size), hidden_size(hidden_size), options(options), has_cell_state_(kind.has_cell_state) {
  const char* layer_name = kind.name;
  const int64_t gates = kind.gates;
  EMBER_CHECK_VALUE(input_size > 0 && hidden_size > 0,
                    "{}: expected positive input_size and hidden_size, got {} and {}", layer_name, input_size,
                    hidden_size);
  EMBER_CHECK_VALUE(options.num_layers > 0, "{}: expected num_layers > 0, got {}", layer_name, options.num_layers);
  EMBER_CHECK_VALUE(options.dropout >= 0.0 && options.dropout <= 1.0,
                    "{}: expected dropout in [0, 1] (the probability of zeroing an element), got {}", layer_name,
                    options.dropout);
  const TensorOptions tensor_options{options.dtype.value_or(kFloat32), options.device.value_or(Device(kCPU))};
  for (int64_t layer = 0; layer < options.num_layers; ++layer) {
    for (int64_t direction = 0; direction < num_directions(); ++direction) {
      const std::string suffix = fmt::format("_l{}{}", layer, direction == 1 ? "_reverse" : "");
      const int64_t layer_input_size = layer == 0 ? input_size : num_directions() * hidden_size;
      RNNWeights w;
      w.weight_ih =
          register_parameter("weight_ih" + suffix, empty({gates * hidden_size, layer_input_size}, tensor_options));
      w.weight_hh = register_parameter("weight_hh" + suffix, empty({gates * hidden_size, hidden_size}, tensor_options));
      if (options.bias) {
        w.bias_ih = register_parameter("bias_ih" + suffix, empty({gates * hidden_size}, tensor_options));
        w.bias_hh = register_parameter("bias_hh" + suffix, empty({gates * hidden_size}, tensor_options));
      }
      all_weights.push_back(w);
    }
  }
  reset_parameters();
}

void RNNBase::reset_parameters() {
  const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  for (Tensor p : parameters()) init::uniform_(p, -bound, bound);
}

Tensor RNNBase::forward(const Tensor& input) { return run(input, {}, {}).output; }

std::string RNNBase::extra_repr() const {
  std::string out = fmt::format("{}, {}", input_size, hidden_size);
  if (options.num_layers != 1) out += fmt::format(", num_layers={}", options.num_layers);
  if (!options.bias) out += ", bias=False";
  if (options.batch_first) out += ", batch_first=True";
  if (options.dropout != 0.0) out += fmt::format(", dropout={}", options.dropout);
  if (options.bidirectional) out += ", bidirectional=True";
  return out;
}

void RNNBase::check_state(const Tensor& state, const char* state_name, const Tensor& input, bool batched) const {
  if (!state.defined()) return;
  const int64_t rows = options.num_layers * num_directions();
  const Shape expected =
      batched ? Shape{rows, input.size(options.batch_first ? 0 : 1), hidden_size} : Shape{rows, hidden_size};
  EMBER_CHECK(state.shape() == expected, "{}: expected {} of shape {} for an input of shape {}, got {}", where(),
              state_name, expected, input.shape(), state.shape());
  EMBER_CHECK_TYPE(state.dtype() == input.dtype() && state.device() == input.device(),
                   "{}: expected {} of the input's dtype and device ({} on {}), got {} on {}", where(), state_name,
                   input.dtype(), input.device(), state.dtype(), state.device());
}

RNNBase::Run RNNBase::run(const Tensor& input, const Tensor& h0, const Tensor& c0) {
  // ---- checks, before any work ----
  EMBER_CHECK(input.defined() && (input.dim() == 2 || input.dim() == 3),
              "{}: expected a 2-d (unbatched) or 3-d (batched) input, got shape {}", where(),
              input.defined() ? input.shape() : Shape{});
  EMBER_CHECK(input.size(-1) == input_size, "{}: expected input.size(-1) == input_size = {}, got shape {}", where(),
              input_size, input.shape());
  const bool batched = input.dim() == 3;
  const int64_t time_dim = batched && options.batch_first ? 1 : 0;
  EMBER_CHECK(input.size(time_dim) > 0, "{}: expected a sequence length > 0 (dim {}), got shape {}", where(), time_dim,
              input.shape());
  const Tensor& weight = all_weights.front().weight_ih;
  EMBER_CHECK_TYPE(input.dtype() == weight.dtype() && input.device() == weight.device(),
                   "{}: expected an input of the parameters' dtype and device ({} on {}), got {} on {}", where(),
                   weight.dtype(), weight.device(), input.dtype(), input.device());
  if (has_cell_state_) {
    EMBER_CHECK(h0.defined() == c0.defined(), "{}: expected h0 and c0 both given or both undefined, got only {}",
                where(), h0.defined() ? "h0" : "c0");
  }
  check_state(h0, "h0", input, batched);
  check_state(c0, "c0", input, batched);

  // ---- everything below in [L, N, features] and [D * num_layers, N, hidden_size] ----
  Tensor x = !batched ? input.unsqueeze(1) : options.batch_first ? input.transpose(0, 1) : input;
  const int64_t steps = x.size(0), batch = x.size(1), directions = num_directions();
  const Shape state_shape{options.num_layers * directions, batch, hidden_size};
  // Zeros when not given, a batch of one when unbatched; then one [N, hidden_size] per layer and direction.
  auto initial = [&](const Tensor& given) {
    return (!given.defined() ? zeros(state_shape, x.options()) : batched ? given : given.unsqueeze(1)).unbind(0);
  };
  const std::vector<Tensor> h_init = initial(h0);
  const std::vector<Tensor> c_init = has_cell_state_ ? initial(c0) : std::vector<Tensor>{};

  std::vector<Tensor> h_n, c_n;
  for (int64_t layer = 0; layer < options.num_layers; ++layer) {
    if (layer > 0) x = functional::dropout(x, options.dropout, is_training());
    std::vector<Tensor> direction_outputs;
    for (int64_t direction = 0; direction < directions; ++direction) {
      const int64_t index = layer * directions + direction;
      const RNNWeights& w = all_weights[static_cast<size_t>(index)];
      // x_t W_ih^T + b_ih for every step at once: [L * N, features] -> L of [N, G * hidden_size]. unbind, not
      // a select per step: see Note [One node for the pieces of a split] in ops/join.cpp.
      const std::vector<Tensor> input_gates =
          functional::linear(x.reshape({steps * batch, x.size(2)}), w.weight_ih, w.bias_ih)
              .view({steps, batch, w.weight_ih.size(0)})
              .unbind(0);
      State state{h_init[static_cast<size_t>(index)], has_cell_state_ ? c_init[static_cast<size_t>(index)] : Tensor()};
      std::vector<Tensor> outputs(static_cast<size_t>(steps));
      for (int64_t step = 0; step < steps; ++step) {
        const int64_t t = direction == 0 ? step : steps - 1 - step;
        state = cell(input_gates[static_cast<size_t>(t)], functional::linear(state.h, w.weight_hh, w.bias_hh), state);
        outputs[static_cast<size_t>(t)] = state.h;
      }
      direction_outputs.push_back(stack(outputs, 0));
      h_n.push_back(state.h);
      c_n.push_back(state.c);
    }
    x = directions == 1 ? direction_outputs[0] : cat(direction_outputs, 2);
  }

  Run out{x, stack(h_n, 0), has_cell_state_ ? stack(c_n, 0) : Tensor()};
  if (!batched) {
    out.output = out.output.squeeze(1);
    out.h_n = out.h_n.squeeze(1);
    if (has_cell_state_) out.c_n = out.c_n.squeeze(1);
  } else if (options.batch_first) {
    out.output = out.output.transpose(0, 1);
  }
  return out;
}

// ---- the cells ----

RNN::RNN(int64_t input_size, int64_t hidden_size, RNNOptions options)
    : RNNBase({.name = "RNN", .gates = 1, .has_cell_state = false}, input_size, hidden_size, options) {}

RNNResult RNN::forward(const Tensor& input, const Tensor& h0) {
  Run out = run(input, h0, {});
  return {out.output, out.h_n};
}

RNNBase::State RNN::cell(const Tensor& input_gates, const Tensor& hidden_gates, const State&) const {
  const Tensor pre = input_gates + hidden_gates;
  return {options.nonlinearity == Nonlinearity::Tanh ? tanh(pre) : relu(pre), {}};
}

namespace {
void check_no_nonlinearity(const char* layer_name, const RNNOptions& options) {
  EMBER_CHECK_TYPE(options.nonlinearity == Nonlinearity::Tanh,
                   "{}: nonlinearity is an option of RNN only (its gates are fixed), got Nonlinearity::ReLU",
                   layer_name);
}
}  // namespace

LSTM::LSTM(int64_t input_size, int64_t hidden_size, RNNOptions options)
    : RNNBase({.name = "LSTM", .gates = 4, .has_cell_state = true}, input_size, hidden_size, options) {
  check_no_nonlinearity("LSTM", options);
}

LSTMResult LSTM::forward(const Tensor& input, const Tensor& h0, const Tensor& c0) {
  Run out = run(input, h0, c0);
  return {out.output, out.h_n, out.c_n};
}

RNNBase::State LSTM::cell(const Tensor& input_gates, const Tensor& hidden_gates, const State& state) const {
  const std::vector<Tensor> gates = chunk(input_gates + hidden_gates, 4, 1);  // i, f, g, o
  const Tensor c = sigmoid(gates[1]) * state.c + sigmoid(gates[0]) * tanh(gates[2]);
  return {sigmoid(gates[3]) * tanh(c), c};
}

GRU::GRU(int64_t input_size, int64_t hidden_size, RNNOptions options)
    : RNNBase({.name = "GRU", .gates = 3, .has_cell_state = false}, input_size, hidden_size, options) {
  check_no_nonlinearity("GRU", options);
}

RNNResult GRU::forward(const Tensor& input, const Tensor& h0) {
  Run out = run(input, h0, {});
  return {out.output, out.h_n};
}

// The hidden part of n is gated by r before the sum, so b_hn cannot be folded
// into the input projection (torch's formula; the one cuDNN computes).
RNNBase::State GRU::cell(const Tensor& input_gates, const Tensor& hidden_gates, const State& state) const {
  const std::vector<Tensor> x = chunk(input_gates, 3, 1), h = chunk(hidden_gates, 3, 1);  // r, z, n
  const Tensor r = sigmoid(x[0] + h[0]);
  const Tensor z = sigmoid(x[1] + h[1]);
  const Tensor n = tanh(x[2] + r * h[2]);
  return {n + z * (state.h - n), {}};  // (1 - z) * n + z * h
}

}  // namespace ember::nn
