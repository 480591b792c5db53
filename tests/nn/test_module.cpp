// Tests nn/module.cpp and the layers (linear, activation, container, dropout,
// flatten, init): registration and dotted names, traversal order, train/eval,
// to(), zero_grad, state_dict round trips and their errors, printing
// (compared with torch 1.13's repr), Linear's init and errors.
#include "harness.h"

#include <sstream>

using namespace ember;
using namespace ember::testing;

namespace {

struct Block : nn::Module {
  std::shared_ptr<nn::Linear> fc = register_module("fc", std::make_shared<nn::Linear>(3, 2));
  Tensor& running = register_buffer("running", zeros({2}));
  Tensor forward(const Tensor& x) override { return relu(fc->forward(x)) + running; }
};

struct Net : nn::Module {
  Tensor& scale = register_parameter("scale", ones({1}));
  std::shared_ptr<Block> encoder = register_module("encoder", std::make_shared<Block>());
  nn::Linear head{2, 4};
  Net() { register_module("head", head); }
  Tensor forward(const Tensor& x) override { return head.forward(encoder->forward(x) * scale); }
};

}  // namespace

TEST_CASE("modules register parameters buffers and children with dotted names", "[nn]") {
  Net net;
  CHECK(keys_of(net.named_parameters()) ==
        std::vector<std::string>{"scale", "encoder.fc.weight", "encoder.fc.bias", "head.weight", "head.bias"});
  CHECK(keys_of(net.named_buffers()) == std::vector<std::string>{"encoder.running"});
  // PyTorch's order: a module's parameters, its buffers, then its children's.
  CHECK(keys_of(net.state_dict()) == std::vector<std::string>{"scale", "encoder.running", "encoder.fc.weight",
                                                              "encoder.fc.bias", "head.weight", "head.bias"});
  CHECK(net.parameters().size() == 5);
  CHECK(net.parameters(/*recurse=*/false).size() == 1);
  CHECK(net.children().size() == 2);
  std::vector<std::string> module_names;
  for (auto& [name, module] : net.named_modules()) module_names.push_back(name + ":" + module->name());
  CHECK(module_names == std::vector<std::string>{":Net", "encoder:Block", "encoder.fc:Linear", "head:Linear"});
  CHECK(net.encoder->fc->path() == "encoder.fc");
  CHECK(net.encoder->fc->where() == "encoder.fc (Linear)");
  for (const Tensor& p : net.parameters()) CHECK(p.requires_grad());
  CHECK_FALSE(net.encoder->running.requires_grad());
  REQUIRE_ERROR(net.register_parameter("scale", ones({1})), "Net: attribute \"scale\" already exists");
  REQUIRE_ERROR(net.register_buffer("a.b", ones({1})), "expected a module, parameter or buffer name without '.'");
}

TEST_CASE("train eval zero_grad apply and to", "[nn]") {
  Net net;
  net.eval();
  for (nn::Module* m : net.modules()) CHECK_FALSE(m->is_training());
  net.train();
  CHECK(net.encoder->fc->is_training());
  net.forward(ones({5, 3})).sum().backward();
  for (const Tensor& p : net.parameters()) CHECK(p.grad().defined());
  net.zero_grad(/*set_to_none=*/false);
  check_close(net.head.weight.grad(), zeros({4, 2}));
  net.zero_grad();
  CHECK_FALSE(net.head.weight.grad().defined());
  int visited = 0;
  net.apply([&](nn::Module&) { ++visited; });
  CHECK(visited == 4);
  // to() converts in place: the member handles see the new dtype, and stay leaves that require grad.
  Tensor before = net.head.weight.clone();
  net.to(kFloat64);
  CHECK(net.head.weight.dtype() == kFloat64);
  CHECK(net.state_dict()[1].second.dtype() == kFloat64);  // the buffer too
  CHECK(net.head.weight.requires_grad());
  CHECK(net.head.weight.is_leaf());
  check_close(net.head.weight, before.to(kFloat64));
  CHECK(net.forward(ones({1, 3}, kFloat64)).dtype() == kFloat64);
}

TEST_CASE("state_dict round trip and load errors name the key", "[nn]") {
  manual_seed(1);
  Net a;
  manual_seed(2);
  Net b;
  Tensor x = randn({4, 3});
  CHECK((a.forward(x) - b.forward(x)).abs().max().item<float>() > 1e-3);
  b.load_state_dict(a.state_dict());
  check_close(b.forward(x), a.forward(x), 0, 0);
  // The state dict holds detached aliases: changing b's parameters later does not change it.
  nn::StateDict state = a.state_dict();
  CHECK_FALSE(state[2].second.requires_grad());  // encoder.fc.weight
  nn::StateDict wrong_shape = state;
  wrong_shape[3 + 1].second = zeros({4, 3});  // head.weight is [4, 2]
  REQUIRE_ERROR(b.load_state_dict(wrong_shape), "load_state_dict: head.weight: expected [4, 2], got [4, 3]");
  nn::StateDict missing(state.begin() + 1, state.end());
  missing.emplace_back("extra", ones({1}));
  REQUIRE_ERROR(b.load_state_dict(missing),
                "Error(s) in loading state_dict for Net: Missing key(s) in state_dict: \"scale\". Unexpected key(s) "
                "in state_dict: \"extra\".");
  b.load_state_dict(missing, /*strict=*/false);  // loads what matches
}

TEST_CASE("modules print as torch does", "[nn]") {
  // Expected text from torch 1.13: print(nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
  // nn.Linear(256, 10), nn.Flatten(), nn.GELU(approximate='tanh'))).
  nn::Sequential model(nn::Linear(784, 256), nn::ReLU(), nn::Dropout(0.2), nn::Linear(256, 10), nn::Flatten(),
                       nn::GELU("tanh"));
  CHECK(model.str() ==
        "Sequential(\n"
        "  (0): Linear(in_features=784, out_features=256, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Dropout(p=0.2, inplace=False)\n"
        "  (3): Linear(in_features=256, out_features=10, bias=True)\n"
        "  (4): Flatten(start_dim=1, end_dim=-1)\n"
        "  (5): GELU(approximate='tanh')\n"
        ")");
  CHECK(keys_of(model.state_dict()) == std::vector<std::string>{"0.weight", "0.bias", "3.weight", "3.bias"});
  Net net;
  std::ostringstream os;
  os << net;
  CHECK(os.str() ==
        "Net(\n"
        "  (encoder): Block(\n"
        "    (fc): Linear(in_features=3, out_features=2, bias=True)\n"
        "  )\n"
        "  (head): Linear(in_features=2, out_features=4, bias=True)\n"
        ")");
}

TEST_CASE("Sequential and ModuleList run and index their children", "[nn]") {
  auto shared = std::make_shared<nn::Linear>(4, 3);
  nn::Sequential model(shared, nn::Tanh(), nn::Linear(3, 2, {.bias = false}));
  CHECK(model.size() == 3);
  CHECK(model[0] == shared);
  CHECK(model[-1]->name() == std::string("Linear"));
  CHECK_FALSE(std::static_pointer_cast<nn::Linear>(model[2])->bias.defined());
  REQUIRE_ERROR(model[3], "Sequential: index 3 is out of range for 3 modules");
  Tensor x = randn({5, 4});
  Tensor expected = matmul(tanh(matmul(x, shared->weight.t()) + shared->bias),
                           std::static_pointer_cast<nn::Linear>(model[2])->weight.t());
  check_close(model.forward(x), expected, 1e-6, 1e-6);
  nn::ModuleList list;
  list.push_back(std::make_shared<nn::ReLU>());
  CHECK(list.size() == 1);
  REQUIRE_ERROR(list.forward(x), "ModuleList: this module has no single-tensor forward");
}

TEST_CASE("Linear: PyTorch's initialisation bounds, any leading dims, clear shape errors", "[nn]") {
  manual_seed(0);
  nn::Linear fc(400, 30);
  const double bound = 1.0 / std::sqrt(400.0);
  CHECK(fc.weight.abs().max().item<double>() <= bound);
  CHECK(fc.weight.abs().max().item<double>() > 0.9 * bound);  // uniform over the whole range
  CHECK(fc.bias.abs().max().item<double>() <= bound);
  CHECK(std::abs(fc.weight.mean().item<double>()) < 0.01 * bound * 10);
  Tensor x = randn({2, 5, 400});
  CHECK(fc.forward(x).shape() == Shape{2, 5, 30});
  check_close(fc.forward(x), matmul(x, fc.weight.t()) + fc.bias, 1e-5, 1e-5);
  nn::Sequential model(nn::Linear(784, 128), nn::ReLU(), nn::Linear(128, 10));
  REQUIRE_ERROR(model.forward(zeros({8, 785})),
                "0 (Linear): expected an input whose last dimension is in_features = 784, got shape [8, 785]");
  REQUIRE_ERROR(nn::Linear(-1, 2), "Linear: expected non-negative in_features and out_features");
}

TEST_CASE("Dropout: train vs eval and the kept fraction", "[nn]") {
  manual_seed(3);
  nn::Dropout dropout(0.25);
  Tensor x = ones({100000});
  Tensor y = dropout.forward(x);
  const double kept = ne(y, 0).sum().item<double>() / 100000.0;
  CHECK(std::abs(kept - 0.75) < 0.01);
  check_close(y.max(), {1.0 / 0.75}, 1e-6);
  dropout.eval();
  CHECK(dropout.forward(x).is_alias_of(x));
  REQUIRE_ERROR(nn::Dropout(1.5), "Dropout: dropout probability has to be between 0 and 1, but got 1.5");
  // The gradient flows through the kept elements only, scaled.
  dropout.train();
  Tensor z = ones({1000}, kFloat64).requires_grad_();
  Tensor out = dropout.forward(z);
  out.sum().backward();
  check_close(z.grad(), (out.detach() / 1.0), 1e-12);  // grad = mask / (1 - p) = out for an input of ones
}

TEST_CASE("init: fans gains and distributions", "[nn]") {
  Tensor w = empty({20, 10, 3, 3});
  auto [fan_in, fan_out] = nn::init::calculate_fan_in_and_fan_out(w);
  CHECK(fan_in == 90);
  CHECK(fan_out == 180);
  CHECK(nn::init::calculate_gain("relu") == Approx(std::sqrt(2.0)));
  CHECK(nn::init::calculate_gain("tanh") == Approx(5.0 / 3.0));
  manual_seed(0);
  Tensor big = empty({500, 400});
  nn::init::xavier_uniform_(big);
  CHECK(big.abs().max().item<double>() <= std::sqrt(6.0 / 900.0));
  nn::init::kaiming_normal_(big, 0.0, nn::init::FanMode::FanIn, "relu");
  CHECK(big.std().item<double>() == Approx(std::sqrt(2.0 / 400.0)).epsilon(0.02));
  nn::init::constant_(big, 0.5);
  CHECK(big.amin().item<double>() == 0.5);
  Tensor q = empty({6, 4}, kFloat64);
  nn::init::orthogonal_(q, 2.0);
  check_close(matmul(q.t(), q), eye(4, kFloat64) * 4.0, 1e-12, 1e-12);
  Tensor wide = empty({3, 5}, kFloat64);
  nn::init::orthogonal_(wide);
  check_close(matmul(wide, wide.t()), eye(3, kFloat64), 1e-12, 1e-12);
  REQUIRE_ERROR(nn::init::calculate_fan_in_and_fan_out(empty({3})), "fan in and fan out can not be computed");
  // Initialising a parameter (a leaf that requires grad) works: it runs without recording.
  nn::Linear fc(3, 3);
  nn::init::zeros_(fc.weight);
  check_close(fc.weight, zeros({3, 3}));
}

TEST_CASE("ModuleDict holds modules by name in insertion order", "[nn]") {
  nn::ModuleDict dict{{"a", std::make_shared<nn::Linear>(2, 3)}, {"b", std::make_shared<nn::ReLU>()}};
  dict.insert("c", std::make_shared<nn::Tanh>());
  CHECK(dict.size() == 3);
  CHECK(dict.contains("b"));
  CHECK_FALSE(dict.contains("z"));
  CHECK(dict["c"]->name() == std::string("Tanh"));
  // Expected text from torch 1.13: print(nn.ModuleDict({'a': nn.Linear(2, 3), 'b': nn.ReLU()})) (plus c).
  CHECK(dict.str() ==
        "ModuleDict(\n"
        "  (a): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (b): ReLU()\n"
        "  (c): Tanh()\n"
        ")");
  CHECK(keys_of(dict.state_dict()) == std::vector<std::string>{"a.weight", "a.bias"});
  REQUIRE_ERROR(dict["z"], "ModuleDict: no module named \"z\"");
  REQUIRE_ERROR(dict.insert("a", std::make_shared<nn::ReLU>()), "attribute \"a\" already exists");
}

TEST_CASE("LayerNorm matches torch and prints as torch", "[nn]") {
  // Expected values from torch 1.13: F.layer_norm(x, (4,), w, b) with x = arange(24).reshape(2, 3, 4).sin().
  const Tensor x = arange(24, kFloat64).reshape({2, 3, 4}).sin();
  nn::LayerNorm norm({4});
  norm.to(kFloat64);
  norm.weight.set_data(tensor({1.0, 2.0, 0.5, -1.0}, kFloat64));
  norm.bias.set_data(tensor({0.1, 0.0, -0.2, 0.3}, kFloat64));
  check_close(norm.forward(x),
              {-1.064341869155364, 1.8143085823462708, 0.3370632174448039, 1.116938856907379, -0.5773873911984031,
               -2.0032547933325207, -0.1557860172512847, -1.2905868223672328, 1.412482825212604, 1.146676352715506,
               -0.5254902893621047, 1.5348404228461476, -1.5174444421642197, 0.1376331553067838, 0.3371108617602591,
               -0.17440614099030993, 0.5068133723332832, -2.3230347997036858, -0.5357730160626502, -1.1262500596438605,
               1.0629625614672495, 1.7127736373952884, -0.36238850864015293, 1.7945723628845878},
              1e-12, 1e-12);
  nn::LayerNorm plain({3, 4}, {.eps = 1e-3, .elementwise_affine = false});
  CHECK(plain.parameters().empty());
  check_close(plain.forward(x).flatten().slice(0, 0, 6),
              {-0.048462911846343076, 1.1416241360662864, 1.2375506404956589, 0.15112221565714992, -1.118803854974097,
               -1.404663398623846},
              1e-12, 1e-12);
  CHECK(nn::LayerNorm({10}).str() == "LayerNorm((10,), eps=1e-05, elementwise_affine=True)");
  CHECK(nn::LayerNorm({3, 4}, {.elementwise_affine = false}).str() == "LayerNorm((3, 4), eps=1e-05, elementwise_affine=False)");
  REQUIRE_ERROR(nn::LayerNorm({10}).forward(zeros({2, 5})),
                "layer_norm: Given normalized_shape=[10], expected input with shape [*, 10], but got input of size[2, 5]");
  CHECK(autograd::gradcheck(
      [](const autograd::TensorList& in) { return nn::functional::layer_norm(in[0], {3, 4}, in[1], in[2]); },
      {make_tensor({2, 3, 4}, kFloat64).requires_grad_(), make_tensor({3, 4}, kFloat64, 0.5, 2, 3).requires_grad_(),
       make_tensor({3, 4}, kFloat64, -1, 1, 4).requires_grad_()}));
  CHECK(autograd::gradgradcheck(
      [](const autograd::TensorList& in) { return nn::functional::layer_norm(in[0], {4}, in[1]); },
      {make_tensor({3, 4}, kFloat64).requires_grad_(), make_tensor({4}, kFloat64, 0.5, 2, 3).requires_grad_()}));
}

namespace {
struct Encoder : nn::Module {
  std::shared_ptr<nn::Linear> fc1 = register_module("fc1", std::make_shared<nn::Linear>(4, 3));
  std::shared_ptr<nn::Linear> fc2 = register_module("fc2", std::make_shared<nn::Linear>(3, 2));
  Tensor forward(const Tensor& x) override { return fc2->forward(relu(fc1->forward(x))); }  // direct calls
};
struct SiteNet : nn::Module {
  std::shared_ptr<Encoder> encoder = register_module("encoder", std::make_shared<Encoder>());
  Tensor forward(const Tensor& x) override { return (*encoder)(x).sum(); }
};
}  // namespace

TEST_CASE("nodes recorded inside a module call keep the module path as record site", "[nn][debug]") {
  SiteNet net;
  Tensor loss = net(ones({5, 4}));
  autograd::Node* sum = loss.grad_fn().get();
  CHECK(sum->record_site() == "SiteNet");  // the root module's own op
  // the output of linear inside encoder.fc2, reached through fc2->forward (Linear wraps its op)
  std::shared_ptr<autograd::Node> fc2_out = sum->next_edges()[0].node;
  CHECK(fc2_out->record_site() == "encoder.fc2 (Linear)");
  // relu ran in Encoder's own forward, reached through operator()
  std::shared_ptr<autograd::Node> relu_node;
  for (const autograd::Edge& edge : fc2_out->next_edges()) {
    if (edge.node && edge.node->op() == std::string("relu")) relu_node = edge.node;
  }
  REQUIRE(relu_node);
  CHECK(relu_node->record_site() == "encoder (Encoder)");
  CHECK(relu_node->next_edges()[0].node->record_site() == "encoder.fc1 (Linear)");
  // Sequential calls its children through operator().
  nn::Sequential seq(nn::Linear(4, 3), nn::Tanh());
  CHECK(seq(ones({1, 4})).grad_fn()->record_site() == "1 (Tanh)");
  // Outside any module: the op name.
  CHECK(ones({1}).requires_grad_().exp().grad_fn()->record_site() == "exp");
}

TEST_CASE("a forward error inside a layer names the layer, the op and the shapes", "[nn][debug]") {
  SiteNet net;
  REQUIRE_ERROR(net(ones({5, 7})), "encoder.fc1 (Linear): expected an input whose last dimension is in_features = 4, got shape [5, 7]");
}
