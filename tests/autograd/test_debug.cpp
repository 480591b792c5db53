// Tests autograd/debug.cpp: ember_debug_print's text, record sites outside
// modules, errors in backward formulas naming their forward op, the flight
// recorder's ring and trace, and on_node.
#include "harness.h"

#include <unistd.h>

#include <cstdio>

using namespace ember;
using namespace ember::testing;

namespace {
// What fn writes to stderr (file descriptor 2, as a debugger's `call` would see it).
template <class Fn>
std::string captured_stderr(Fn&& fn) {
  std::FILE* capture = std::tmpfile();
  REQUIRE(capture);
  std::fflush(stderr);
  const int saved = dup(fileno(stderr));
  dup2(fileno(capture), fileno(stderr));
  fn();
  std::fflush(stderr);
  dup2(saved, fileno(stderr));
  close(saved);
  std::rewind(capture);
  std::string text(1 << 16, '\0');
  text.resize(std::fread(text.data(), 1, text.size(), capture));
  std::fclose(capture);
  return text;
}
}  // namespace

TEST_CASE("debug_string prints the tensor as operator<< does, then its metadata", "[autograd][debug]") {
  Tensor w = tensor({{1.0, 2.0}}).requires_grad_();
  Tensor y = w * 3.0;
  const std::string text = autograd::debug_string(y);
  CHECK(text.rfind(y.str() + "\n", 0) == 0);
  CHECK(text.find("shape=[1, 2] strides=[2, 1] offset=0 contiguous=true numel=2") != std::string::npos);
  CHECK(text.find("dtype=float32 device=cpu") != std::string::npos);
  CHECK(text.find("requires_grad=true is_leaf=false grad_fn=MulBackward (#") != std::string::npos);
  CHECK(text.find("recorded in mul)") != std::string::npos);
  CHECK(autograd::debug_string(w.t()).find("strides=[1, 2]") != std::string::npos);
  CHECK(autograd::debug_string(Tensor()) == "tensor(undefined)\n");
}

TEST_CASE("ember_debug_print has C linkage and writes debug_string to stderr", "[autograd][debug]") {
  Tensor t = arange(3, kInt64);
  void (*print)(const void*) = &ember_debug_print;  // the C symbol a debugger calls
  const std::string text = captured_stderr([&] {
    print(&t);
    print(nullptr);
  });
  CHECK(text.rfind(autograd::debug_string(t), 0) == 0);
  CHECK(text.find("ember_debug_print: null pointer") != std::string::npos);
}

TEST_CASE("a node recorded outside any module has its op as record site", "[autograd][debug]") {
  Tensor x = ones({2}).requires_grad_();
  Tensor y = x.exp();
  CHECK(y.grad_fn()->record_site() == "exp");
  CHECK(y.grad_fn()->module_site() == nullptr);
  // The guard nodes read, set by nn::Module calls.
  auto site = std::make_shared<const std::string>("encoder.fc2 (Linear)");
  {
    autograd::RecordSiteGuard guard(&site);
    CHECK(x.sin().grad_fn()->record_site() == "encoder.fc2 (Linear)");
  }
  CHECK(x.sin().grad_fn()->record_site() == "sin");
}

struct Exploding : autograd::Function<Exploding> {
  static Tensor forward(autograd::AutogradContext*, const Tensor& x) { return x * 1.0; }
  static autograd::TensorList backward(autograd::AutogradContext*, const autograd::TensorList& grads) {
    return {grads[0] + ones({5})};  // a formula bug: shapes do not broadcast
  }
};

TEST_CASE("an error in a backward formula names the forward op and its record site", "[autograd][debug]") {
  Tensor x = ones({2, 3}).requires_grad_();
  Tensor loss = Exploding::apply(x).sum();
  REQUIRE_ERROR(loss.backward(), "ExplodingBackward (the backward of Exploding, recorded in Exploding): add: ");
  Tensor y = (x * 2).sum();
  y.backward();
  REQUIRE_ERROR(y.backward(), "SumBackward (the backward of sum, recorded in sum): SumBackward: Trying to backward");
}

TEST_CASE("the flight recorder keeps the last ops of this thread, forward and backward", "[autograd][debug]") {
  Tensor x = ones({2, 3}).requires_grad_();
  Tensor w = ones({3}).requires_grad_();
  Tensor y = (x * w).sum();
  std::vector<autograd::OpRecord> ops = autograd::recent_ops();
  REQUIRE(ops.size() >= 2);
  CHECK(autograd::format_op(ops[ops.size() - 2]) ==
        fmt::format("#{} fwd mul [2, 3], [3] -> [2, 3] float32 cpu", ops[ops.size() - 2].sequence_nr));
  CHECK(std::string(ops.back().op) == "sum");
  y.backward();
  ops = autograd::recent_ops();
  // Backward ran sum, mul, then the two leaves' accumulators; a backward entry shows the output gradients.
  REQUIRE(ops.size() >= 4);
  const autograd::OpRecord& mul_backward = ops[ops.size() - 3];
  CHECK(autograd::format_op(mul_backward) == fmt::format("#{} bwd mul [2, 3] float32 cpu", mul_backward.sequence_nr));
  CHECK(std::string(ops.back().op) == "accumulate_grad");
  // A ring: never more than its size, the newest last.
  for (int i = 0; i < 100; ++i) x = x * 1.0;
  ops = autograd::recent_ops();
  CHECK(ops.size() == static_cast<size_t>(autograd::kFlightRecorderSize));
  CHECK(ops.back().sequence_nr == x.grad_fn()->sequence_nr());
  CHECK(ops.front().sequence_nr + autograd::kFlightRecorderSize - 1 == ops.back().sequence_nr);
}

TEST_CASE("on_node runs a callback before the named backward node only", "[autograd][debug]") {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor y = (x.exp() * 2).sum();
  std::vector<std::string> seen;
  const int by_name = autograd::on_node("MulBackward", [&](const autograd::Node& node, const autograd::TensorList& grads) {
    seen.push_back(fmt::format("{} {}", node.name(), grads[0].shape()));
  });
  const int by_op = autograd::on_node("exp", [&](const autograd::Node& node, const autograd::TensorList&) {
    seen.push_back(node.op());
  });
  y.backward();
  CHECK(seen == std::vector<std::string>{"MulBackward [2]", "exp"});
  autograd::remove_on_node(by_name);
  autograd::remove_on_node(by_op);
  seen.clear();
  (x.exp() * 2).sum().backward();
  CHECK(seen.empty());
}

TEST_CASE("EMBER_TRACE logs every op with its shapes, dtype, device and site", "[autograd][debug]") {
  Tensor x = ones({4}, kFloat64).requires_grad_();
  Tensor y;
  autograd::set_trace_enabled(true);
  const std::string text = captured_stderr([&] { y = x.neg(); });
  autograd::set_trace_enabled(false);
  CHECK(text.rfind("[ember trace ", 0) == 0);
  CHECK(text.find(fmt::format("ms] #{} fwd neg [4] -> [4] float64 cpu in neg\n", y.grad_fn()->sequence_nr())) !=
        std::string::npos);
}
