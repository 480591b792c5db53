// Tests nn/rnn.cpp: RNN, LSTM and GRU against torch 1.13 (rnn_golden.h, written
// by the checked-in tests/nn/make_rnn_golden.py): outputs, final states and the
// gradients of parameters, input and initial states; gradcheck in float64;
// parameter names, shapes and init; dropout between layers; errors; printing.
#include "harness.h"
#include "rnn_golden.h"

#include <memory>

using namespace ember;
using namespace ember::testing;

namespace {

// value(i) = scale * sin(seed + 1.37 i), as make_rnn_golden.py's values().
Tensor formula_tensor(IntArrayRef shape, double seed, double scale = 1.0) {
  std::vector<double> v(static_cast<size_t>(numel_of(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = scale * std::sin(seed + 1.37 * static_cast<double>(i));
  return from_blob(v.data(), shape, kFloat64).clone();
}

std::unique_ptr<nn::RNNBase> make_layer(const rnn_golden::Case& c, DType dtype) {
  const nn::RNNOptions options{.num_layers = c.num_layers,
                               .nonlinearity = c.relu ? nn::Nonlinearity::ReLU : nn::Nonlinearity::Tanh,
                               .bias = c.bias,
                               .batch_first = c.batch_first,
                               .bidirectional = c.bidirectional,
                               .dtype = dtype};
  const std::string layer = c.layer;
  if (layer == "LSTM") return std::make_unique<nn::LSTM>(rnn_golden::kInputSize, rnn_golden::kHiddenSize, options);
  if (layer == "GRU") return std::make_unique<nn::GRU>(rnn_golden::kInputSize, rnn_golden::kHiddenSize, options);
  return std::make_unique<nn::RNN>(rnn_golden::kInputSize, rnn_golden::kHiddenSize, options);
}

// The golden parameters: parameter k of named_parameters() from seed kParameterSeed + k.
void set_golden_parameters(nn::Module& layer) {
  autograd::NoGradGuard no_grad;
  double seed = rnn_golden::kParameterSeed;
  for (Tensor p : layer.parameters()) p.copy_(formula_tensor(p.shape(), seed++, rnn_golden::kParameterScale));
}

// forward(input, h0[, c0]) of whichever layer this is, as one result.
nn::LSTMResult forward_with_state(nn::RNNBase& layer, const Tensor& x, const Tensor& h0, const Tensor& c0) {
  if (auto* lstm = dynamic_cast<nn::LSTM*>(&layer)) return lstm->forward(x, h0, c0);
  auto [output, h_n] = dynamic_cast<nn::GRU*>(&layer) ? dynamic_cast<nn::GRU&>(layer).forward(x, h0)
                                                      : dynamic_cast<nn::RNN&>(layer).forward(x, h0);
  return {output, h_n, Tensor()};
}

Shape shape_of(const std::vector<int64_t>& sizes) { return Shape(IntArrayRef(sizes)); }

}  // namespace

TEST_CASE("RNN LSTM and GRU match torch: outputs, final states and gradients", "[nn][rnn]") {
  for (const rnn_golden::Case& c : rnn_golden::kCases) {
    SECTION(c.name) {
      std::unique_ptr<nn::RNNBase> layer = make_layer(c, kFloat64);
      CHECK(keys_of(layer->state_dict()) == c.parameter_names);
      set_golden_parameters(*layer);
      const Shape input_shape = shape_of(c.input_shape);
      const Shape state_shape = shape_of(c.h_n_shape);
      const bool lstm = std::string(c.layer) == "LSTM";
      Tensor x = formula_tensor(input_shape, rnn_golden::kInputSeed).requires_grad_();
      Tensor h0, c0;
      if (c.with_state) h0 = formula_tensor(state_shape, rnn_golden::kH0Seed).requires_grad_();
      if (c.with_state && lstm) c0 = formula_tensor(state_shape, rnn_golden::kC0Seed).requires_grad_();

      auto [output, h_n, c_n] = forward_with_state(*layer, x, h0, c0);
      REQUIRE(output.shape() == shape_of(c.output_shape));
      REQUIRE(h_n.shape() == state_shape);
      check_close(output, c.output, 1e-10, 1e-12);
      check_close(h_n, c.h_n, 1e-10, 1e-12);
      REQUIRE(c_n.defined() == lstm);
      if (lstm) {
        REQUIRE(c_n.shape() == shape_of(c.c_n_shape));
        check_close(c_n, c.c_n, 1e-10, 1e-12);
      }

      Tensor loss = (output * formula_tensor(output.shape(), rnn_golden::kOutputWeightSeed)).sum() +
                    (h_n * formula_tensor(h_n.shape(), rnn_golden::kHNWeightSeed)).sum();
      if (lstm) loss = loss + (c_n * formula_tensor(c_n.shape(), rnn_golden::kCNWeightSeed)).sum();
      loss.backward();
      const std::vector<Tensor> parameters = layer->parameters();
      REQUIRE(parameters.size() == c.parameter_grads.size());
      for (size_t k = 0; k < parameters.size(); ++k) {
        INFO("gradient of " << c.parameter_names[k]);
        check_close(parameters[k].grad(), c.parameter_grads[k], 1e-9, 1e-12);
      }
      check_close(x.grad(), c.input_grad, 1e-9, 1e-12);
      if (h0.defined()) check_close(h0.grad(), c.h0_grad, 1e-9, 1e-12);
      if (c0.defined()) check_close(c0.grad(), c.c0_grad, 1e-9, 1e-12);

      // forward(input) is the output of forward(input, {}) (zero initial states).
      if (!c.with_state) check_close(layer->forward(x), output, 0, 0);
    }
  }
}

TEST_CASE("recurrent layers run in float32 by default", "[nn][rnn]") {
  const rnn_golden::Case& c = rnn_golden::kCases.front();  // the two-layer bidirectional batch-first LSTM
  std::unique_ptr<nn::RNNBase> layer = make_layer(c, kFloat64);
  set_golden_parameters(*layer);
  layer->to(kFloat32);
  const Shape state_shape = shape_of(c.h_n_shape);
  auto [output, h_n, c_n] =
      forward_with_state(*layer, formula_tensor(shape_of(c.input_shape), rnn_golden::kInputSeed).to(kFloat32),
                         formula_tensor(state_shape, rnn_golden::kH0Seed).to(kFloat32),
                         formula_tensor(state_shape, rnn_golden::kC0Seed).to(kFloat32));
  CHECK(output.dtype() == kFloat32);
  check_close(output, c.output, 1e-5, 1e-6);
  check_close(h_n, c.h_n, 1e-5, 1e-6);
  check_close(c_n, c.c_n, 1e-5, 1e-6);
}

TEST_CASE("parameters have torch's names, shapes and init", "[nn][rnn]") {
  nn::LSTM lstm(10, 20, {.num_layers = 2, .bias = true, .batch_first = true, .dropout = 0.0, .bidirectional = true});
  const nn::StateDict params = lstm.named_parameters();
  REQUIRE(params.size() == 16);
  CHECK(keys_of(params) ==
        std::vector<std::string>{"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse",
                                 "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse", "weight_ih_l1",
                                 "weight_hh_l1", "bias_ih_l1", "bias_hh_l1", "weight_ih_l1_reverse",
                                 "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"});
  CHECK(params[0].second.shape() == Shape{80, 10});
  CHECK(params[1].second.shape() == Shape{80, 20});
  CHECK(params[2].second.shape() == Shape{80});
  CHECK(params[8].second.shape() == Shape{80, 40});  // layer 1 reads both directions
  CHECK(lstm.all_weights.size() == 4);
  CHECK(lstm.all_weights[3].weight_hh.impl() == params[13].second.impl());
  // uniform(-1/sqrt(20), 1/sqrt(20)): within the bound, and spread over it.
  const double bound = 1.0 / std::sqrt(20.0);
  for (const auto& [name, p] : params) {
    INFO(name);
    CHECK(p.requires_grad());
    CHECK(p.abs().max().item<double>() <= bound);
    CHECK(p.abs().max().item<double>() > 0.5 * bound);
  }

  nn::GRU gru(4, 3, {.bias = false});
  CHECK(keys_of(gru.state_dict()) == std::vector<std::string>{"weight_ih_l0", "weight_hh_l0"});
  CHECK(gru.all_weights[0].weight_ih.shape() == Shape{9, 4});  // r, z, n
  CHECK(gru.all_weights[0].weight_hh.shape() == Shape{9, 3});
  CHECK_FALSE(gru.all_weights[0].bias_ih.defined());
  nn::RNN rnn(4, 3, {.num_layers = 2});
  CHECK(rnn.all_weights[1].weight_ih.shape() == Shape{3, 3});
  CHECK(rnn.all_weights[1].bias_hh.shape() == Shape{3});
}

TEST_CASE("gradcheck: a tiny LSTM and GRU in float64", "[nn][rnn]") {
  // Every parameter and input is a gradcheck input: gradcheck moves their
  // elements in place, which the layer sees through its own handles.
  nn::LSTM lstm(2, 2, {.bidirectional = true, .dtype = kFloat64});
  const Tensor x = make_tensor({3, 2, 2}, kFloat64, -1, 1, 1).requires_grad_();
  const Tensor h0 = make_tensor({2, 2, 2}, kFloat64, -1, 1, 2).requires_grad_();
  const Tensor c0 = make_tensor({2, 2, 2}, kFloat64, -1, 1, 3).requires_grad_();
  autograd::TensorList inputs{x, h0, c0};
  for (const Tensor& p : lstm.parameters()) inputs.push_back(p);
  CHECK(autograd::gradcheck(
      [&](const autograd::TensorList& in) {
        auto [output, h_n, c_n] = lstm.forward(in[0], in[1], in[2]);
        return cat({output.flatten(), h_n.flatten(), c_n.flatten()});
      },
      inputs));

  nn::GRU gru(2, 2, {.num_layers = 2, .batch_first = true, .dtype = kFloat64});
  const Tensor y = make_tensor({2, 3, 2}, kFloat64, -1, 1, 4).requires_grad_();
  const Tensor g0 = make_tensor({2, 2, 2}, kFloat64, -1, 1, 5).requires_grad_();
  inputs = {y, g0};
  for (const Tensor& p : gru.parameters()) inputs.push_back(p);
  CHECK(autograd::gradcheck(
      [&](const autograd::TensorList& in) {
        auto [output, h_n] = gru.forward(in[0], in[1]);
        return cat({output.flatten(), h_n.flatten()});
      },
      inputs));
}

TEST_CASE("dropout falls between layers while training, never after the last", "[nn][rnn]") {
  // With dropout = 1 the second layer reads zeros: its output is that of a
  // one-layer LSTM with the second layer's weights run on a zero input.
  manual_seed(3);
  nn::LSTM two(3, 2, {.num_layers = 2, .dropout = 1.0});
  nn::LSTM one(2, 2);
  nn::StateDict second_layer;
  for (const auto& [name, p] : two.state_dict()) {
    if (name.ends_with("_l1")) second_layer.emplace_back(name.substr(0, name.size() - 1) + "0", p);
  }
  one.load_state_dict(second_layer);
  const Tensor x = make_tensor({4, 2, 3}, kFloat32, -1, 1, 6);
  const Tensor dropped = two.forward(x);
  check_close(dropped, one.forward(zeros({4, 2, 2})), 0, 0);
  CHECK(dropped.abs().sum().item<float>() > 0);  // no dropout on the last layer's output

  // In eval mode, and with dropout = 0, the layers run undisturbed.
  two.eval();
  nn::LSTM plain(3, 2, {.num_layers = 2});
  plain.load_state_dict(two.state_dict());
  check_close(two.forward(x), plain.forward(x), 0, 0);
  CHECK((two.forward(x) - dropped).abs().max().item<float>() > 1e-3);
}

TEST_CASE("a recurrent layer sits in a Sequential through forward(input)", "[nn][rnn]") {
  nn::Sequential model(nn::GRU(3, 4, {.batch_first = true}), nn::Linear(4, 2));
  CHECK(model.forward(make_tensor({5, 7, 3}, kFloat32)).shape() == Shape{5, 7, 2});
  CHECK(model.str() ==
        "Sequential(\n"
        "  (0): GRU(3, 4, batch_first=True)\n"
        "  (1): Linear(in_features=4, out_features=2, bias=True)\n"
        ")");
  CHECK(keys_of(model.state_dict()).front() == "0.weight_ih_l0");
  // An empty batch runs, as in torch.
  nn::LSTM lstm(3, 4, {.num_layers = 2});
  auto [output, h_n, c_n] = lstm.forward(zeros({5, 0, 3}), {}, {});
  CHECK(output.shape() == Shape{5, 0, 4});
  CHECK(c_n.shape() == Shape{2, 0, 4});
  // No h0: zeros, and the final state still comes back.
  nn::GRU gru(3, 4);
  auto [y, h] = gru.forward(ones({5, 2, 3}), {});
  check_close(y[-1], h[0], 0, 0);
}

TEST_CASE("recurrent layers print as torch does", "[nn][rnn]") {
  // Expected text from torch 1.13's print(nn.LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True)), ...
  CHECK(nn::LSTM(10, 20, {.num_layers = 2, .batch_first = true, .bidirectional = true}).str() ==
        "LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True)");
  nn::RNN relu(10, 20, {.num_layers = 2, .nonlinearity = nn::Nonlinearity::ReLU, .bias = false, .dropout = 0.5});
  CHECK(relu.str() == "RNN(10, 20, num_layers=2, bias=False, dropout=0.5)");  // torch prints no nonlinearity
  CHECK(nn::GRU(3, 4).str() == "GRU(3, 4)");
  CHECK(nn::GRU(3, 4, {.num_layers = 2, .dropout = 0.1}).str() == "GRU(3, 4, num_layers=2, dropout=0.1)");
}

TEST_CASE("recurrent layer errors name the layer and the shapes", "[nn][rnn]") {
  nn::LSTM lstm(10, 20);
  REQUIRE_ERROR(lstm.forward(zeros({5, 3, 11})),
                "LSTM: expected input.size(-1) == input_size = 10, got shape [5, 3, 11]");
  REQUIRE_ERROR(lstm.forward(zeros({5, 3, 2, 10})),
                "LSTM: expected a 2-d (unbatched) or 3-d (batched) input, got shape [5, 3, 2, 10]");
  REQUIRE_ERROR(lstm.forward(zeros({10})), "LSTM: expected a 2-d (unbatched) or 3-d (batched) input, got shape [10]");
  REQUIRE_ERROR(lstm.forward(Tensor()), "LSTM: expected a 2-d (unbatched) or 3-d (batched) input, got shape []");
  REQUIRE_ERROR(lstm.forward(zeros({0, 3, 10})), "LSTM: expected a sequence length > 0 (dim 0), got shape [0, 3, 10]");
  REQUIRE_ERROR(lstm.forward(zeros({5, 3, 10}, kFloat64)),
                "LSTM: expected an input of the parameters' dtype and device (float32 on cpu), got float64 on cpu");
  REQUIRE_ERROR(lstm.forward(zeros({5, 3, 10}), zeros({1, 4, 20}), zeros({1, 3, 20})),
                "LSTM: expected h0 of shape [1, 3, 20] for an input of shape [5, 3, 10], got [1, 4, 20]");
  REQUIRE_ERROR(lstm.forward(zeros({5, 3, 10}), zeros({1, 3, 20}), zeros({3, 20})),
                "LSTM: expected c0 of shape [1, 3, 20] for an input of shape [5, 3, 10], got [3, 20]");
  REQUIRE_ERROR(lstm.forward(zeros({5, 10}), zeros({1, 1, 20}), zeros({1, 1, 20})),
                "LSTM: expected h0 of shape [1, 20] for an input of shape [5, 10], got [1, 1, 20]");
  REQUIRE_ERROR(lstm.forward(zeros({5, 3, 10}), zeros({1, 3, 20}), Tensor()),
                "LSTM: expected h0 and c0 both given or both undefined, got only h0");
  REQUIRE_ERROR(lstm.forward(zeros({5, 3, 10}), zeros({1, 3, 20}, kFloat64), zeros({1, 3, 20})),
                "LSTM: expected h0 of the input's dtype and device (float32 on cpu), got float64 on cpu");
  nn::GRU gru(4, 3, {.num_layers = 2, .batch_first = true, .bidirectional = true});
  REQUIRE_ERROR(gru.forward(zeros({2, 5, 4}), zeros({4, 5, 3})),
                "GRU: expected h0 of shape [4, 2, 3] for an input of shape [2, 5, 4], got [4, 5, 3]");
  // Inside a model, the error says where the layer sits.
  nn::Sequential model(nn::RNN(3, 4), nn::Linear(4, 2));
  REQUIRE_ERROR(model.forward(zeros({5, 2, 4})), "0 (RNN): expected input.size(-1) == input_size = 3");

  REQUIRE_ERROR(nn::LSTM(3, 4, {.nonlinearity = nn::Nonlinearity::ReLU}),
                "LSTM: nonlinearity is an option of RNN only (its gates are fixed), got Nonlinearity::ReLU");
  REQUIRE_ERROR(nn::GRU(3, 0), "GRU: expected positive input_size and hidden_size, got 3 and 0");
  REQUIRE_ERROR(nn::RNN(3, 4, {.num_layers = 0}), "RNN: expected num_layers > 0, got 0");
  REQUIRE_ERROR(nn::RNN(3, 4, {.dropout = 1.5}),
                "RNN: expected dropout in [0, 1] (the probability of zeroing an element), got 1.5");
}
