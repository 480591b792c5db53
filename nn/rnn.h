// Recurrent layers as torch.nn.RNN / LSTM / GRU: one layer-by-direction loop
// (RNNBase::run) serves all three; each class only says how one time step
// updates its state. Composites of recorded ops, so autograd comes for free.
#pragma once

#include <ember/nn/module.h>

#include <optional>
#include <vector>

namespace ember::nn {

enum class Nonlinearity { Tanh, ReLU };

// One options struct for the three layers, in torch's argument order.
// nonlinearity is RNN's alone (torch.nn.LSTM and GRU take no such argument):
// LSTM and GRU reject anything but the default rather than ignore it.
struct RNNOptions {
  int64_t num_layers = 1;
  Nonlinearity nonlinearity = Nonlinearity::Tanh;
  bool bias = true;
  bool batch_first = false;  // input and output [N, L, features], not [L, N, features]; h0, h_n stay [.., N, ..]
  double dropout = 0.0;      // on every layer's output but the last, while training
  bool bidirectional = false;
  std::optional<DType> dtype = {};
  std::optional<Device> device = {};
};

// The parameters of one layer in one direction (G gates: 1 for RNN, 4 for
// LSTM in the order i, f, g, o, 3 for GRU in the order r, z, n).
struct RNNWeights {
  Tensor weight_ih;  // [G * hidden_size, input_size] in layer 0, [G * hidden_size, num_directions * hidden_size] above
  Tensor weight_hh;  // [G * hidden_size, hidden_size]
  Tensor bias_ih;    // [G * hidden_size], undefined without bias
  Tensor bias_hh;    // [G * hidden_size], undefined without bias
};

// What forward(input, h0[, c0]) returns, named where torch returns a tuple:
//   output [L, N, D * hidden_size] ([N, L, ...] with batch_first, [L, ...] unbatched): the last layer's h, each step,
//   h_n    [D * num_layers, N, hidden_size] ([D * num_layers, hidden_size] unbatched): every layer's final h,
//   c_n    as h_n, LSTM only: every layer's final cell state,
// where D = 2 if bidirectional else 1, output's features are the forward direction's h then the reverse one's,
// and h_n's rows run layer 0 forward, layer 0 reverse, layer 1 forward, ...
// Pass an undefined h0 (c0) to start from zeros and still get the final states:
// `auto [output, h_n] = gru.forward(x, {});`  `auto [output, h_n, c_n] = lstm.forward(x, h0, c0);`
struct RNNResult {
  Tensor output, h_n;
};
struct LSTMResult {
  Tensor output, h_n, c_n;
};

// The shared part: parameters (torch's names and order: weight_ih_l0, weight_hh_l0,
// bias_ih_l0, bias_hh_l0, weight_ih_l0_reverse, ..., weight_ih_l1, ...), their
// init (uniform in +-1/sqrt(hidden_size), as torch), checks, the loop, printing.
class RNNBase : public Module {
 public:
  // The single-tensor forward, so that a recurrent layer can sit in a
  // Sequential (and be called as module(x)): the output alone, from zero
  // initial states. The state-passing overloads are the derived classes'.
  Tensor forward(const Tensor& input) override;
  // As torch: "LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True)" (nonlinearity is not printed).
  std::string extra_repr() const override;
  void reset_parameters();
  int64_t num_directions() const { return options.bidirectional ? 2 : 1; }

  const int64_t input_size, hidden_size;
  const RNNOptions options;
  // all_weights[layer * num_directions + direction], as torch's all_weights.
  std::vector<RNNWeights> all_weights;

 protected:
  struct State {
    Tensor h;  // [N, hidden_size]
    Tensor c;  // [N, hidden_size], LSTM only
  };
  struct Run {
    Tensor output, h_n, c_n;
  };

  // What sets the three apart besides their cell.
  struct Kind {
    const char* name;     // for errors raised while constructing, before name() knows the derived class
    int64_t gates;        // how many hidden_size blocks each weight stacks: 1, 4 or 3
    bool has_cell_state;  // LSTM's c
  };
  RNNBase(Kind kind, int64_t input_size, int64_t hidden_size, const RNNOptions& options);
  // Checks input, h0 and c0, then runs every layer in every direction.
  // Undefined h0 / c0 mean zeros; c0 (and Run::c_n) only with a cell state.
  Run run(const Tensor& input, const Tensor& h0, const Tensor& c0);
  // One time step of one layer in one direction. input_gates = x_t W_ih^T + b_ih
  // and hidden_gates = h W_hh^T + b_hh, both [N, G * hidden_size].
  virtual State cell(const Tensor& input_gates, const Tensor& hidden_gates, const State& state) const = 0;

 private:
  void check_state(const Tensor& state, const char* state_name, const Tensor& input, bool batched) const;
  const bool has_cell_state_;
};

// h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu).
class RNN : public RNNBase {
 public:
  RNN(int64_t input_size, int64_t hidden_size, RNNOptions options = {});
  using RNNBase::forward;
  // h0: [D * num_layers, N, hidden_size] ([D * num_layers, hidden_size] unbatched), or undefined for zeros.
  RNNResult forward(const Tensor& input, const Tensor& h0);

 protected:
  State cell(const Tensor& input_gates, const Tensor& hidden_gates, const State& state) const override;
};

// c' = f * c + i * g, h' = o * tanh(c'), with i, f, o sigmoid gates and g a tanh one.
class LSTM : public RNNBase {
 public:
  LSTM(int64_t input_size, int64_t hidden_size, RNNOptions options = {});
  using RNNBase::forward;
  // h0 and c0 as RNN's h0: both given, or both undefined for zeros (torch's hx tuple).
  LSTMResult forward(const Tensor& input, const Tensor& h0, const Tensor& c0);

 protected:
  State cell(const Tensor& input_gates, const Tensor& hidden_gates, const State& state) const override;
};

// r, z sigmoid gates; n = tanh(x_n + r * (h W_hn^T + b_hn)); h' = (1 - z) * n + z * h.
class GRU : public RNNBase {
 public:
  GRU(int64_t input_size, int64_t hidden_size, RNNOptions options = {});
  using RNNBase::forward;
  // h0 as RNN's.
  RNNResult forward(const Tensor& input, const Tensor& h0);

 protected:
  State cell(const Tensor& input_gates, const Tensor& hidden_gates, const State& state) const override;
};

}  // namespace ember::nn
