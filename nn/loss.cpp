// The losses of nn::functional (nn/functional.h), as composites of recorded
// ops (so their gradients, and second derivatives, come from the ops').
// Semantics and error cases follow PyTorch 1.13's torch.nn.functional.
#include <ember/nn/functional.h>

#include <vector>

namespace ember::nn::functional {
namespace {

Tensor reduce(const Tensor& loss, Reduction reduction) {
  switch (reduction) {
    case Reduction::None: return loss;
    case Reduction::Sum: return loss.sum();
    case Reduction::Mean: return loss.mean();
  }
  return loss;
}

void check_pair(const char* op, const Tensor& input, const Tensor& target) {
  EMBER_CHECK(input.defined() && target.defined(), "{}: expected defined input and target", op);
  EMBER_CHECK(input.is_floating_point(), "{}: expected a floating point input, got {}", op, input.dtype());
  broadcast_shapes(op, input.shape(), target.shape());
}

// The checks torch.nn.functional makes first, with a ValueError: a binary loss's target of another shape, a
// class loss's target of another batch size.
void check_same_shape(const char* op, const Tensor& input, const Tensor& target) {
  EMBER_CHECK(input.defined() && target.defined(), "{}: expected defined input and target", op);
  EMBER_CHECK_VALUE(target.shape() == input.shape(), "{}: expected a target of the input's shape {}, got {}", op,
                    input.shape(), target.shape());
}
void check_batch(const char* op, const Tensor& input, const Tensor& target) {
  if (input.dim() < 2) return;  // unbatched
  const int64_t target_batch = target.dim() == 0 ? 0 : target.size(0);  // torch counts a 0-d target as 0
  EMBER_CHECK_VALUE(input.size(0) == target_batch, "{}: Expected input batch_size ({}) to match target batch_size ({}).",
                    op, input.size(0), target_batch);
}

// x with its class dim (1) moved last and everything else flattened: [M, C].
Tensor classes_last(const Tensor& x) {
  if (x.dim() == 1) return x.unsqueeze(0);
  if (x.dim() == 2) return x;
  std::vector<int64_t> order{0};
  for (int64_t d = 2; d < x.dim(); ++d) order.push_back(d);
  order.push_back(1);
  return x.permute(order).reshape({-1, x.size(1)});
}

// Class indices: shapes (input [N, C, d...] with target [N, d...], or [C] with []),
// dtype, and every value in [0, C) unless it is ignore_index.
void check_class_targets(const char* op, const Tensor& input, const Tensor& target, int64_t ignore_index) {
  EMBER_CHECK(target.dtype() == kInt64,
              "{}: expected a target of class indices of dtype int64, got {} (for class probabilities use a "
              "floating target of the input's shape)",
              op, target.dtype());
  Shape expected;
  for (int64_t d = 0; d < input.dim(); ++d) {
    if (d != (input.dim() == 1 ? 0 : 1)) expected.push_back(input.size(d));
  }
  EMBER_CHECK(target.shape() == expected, "{}: expected a target of shape {} for an input of shape {}, got {}", op,
              expected, input.shape(), target.shape());
  const int64_t classes = input.size(input.dim() == 1 ? 0 : 1);
  const Tensor values = target.to(Device(kCPU)).contiguous();
  const int64_t* p = values.data_ptr<int64_t>();
  for (int64_t i = 0; i < values.numel(); ++i) {
    EMBER_CHECK_INDEX(p[i] == ignore_index || (p[i] >= 0 && p[i] < classes),
                      "{}: target {} is out of bounds for {} classes (expected 0 <= target < {}, or ignore_index {})",
                      op, p[i], classes, classes, ignore_index);
  }
}

void check_weight(const char* op, const Tensor& weight, int64_t classes) {
  EMBER_CHECK(!weight.defined() || (weight.dim() == 1 && weight.size(0) == classes),
              "{}: expected a weight of shape [{}] (one per class), got {}", op, classes, weight.shape());
}

// Per-element negative log-likelihood over [M] flattened targets, with the
// weight of each element's class (0 where ignored): (losses [M], weights [M]).
std::pair<Tensor, Tensor> picked_losses(const Tensor& log_probs, const Tensor& target, const Tensor& weight,
                                        int64_t ignore_index) {
  const Tensor rows = classes_last(log_probs), flat = target.reshape({-1});
  const Tensor ignored = eq(flat, ignore_index);
  const Tensor safe = where(ignored, 0, flat);
  const Tensor picked = rows.gather(1, safe.unsqueeze(1)).squeeze(1);
  Tensor w = weight.defined() ? weight.index_select(0, safe) : ones({flat.numel()}, log_probs.options());
  w = where(ignored, 0.0, w);
  return {-picked * w, w};
}

}  // namespace

Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossOptions& options) {
  EMBER_CHECK_VALUE(input.defined() && target.defined() && input.dim() >= 1,
                    "nll_loss: expected an input with a class dim");  // torch: ValueError "Expected 1 or more dims"
  check_batch("nll_loss", input, target);
  check_class_targets("nll_loss", input, target, options.ignore_index);
  check_weight("nll_loss", options.weight, input.size(input.dim() == 1 ? 0 : 1));
  auto [losses, weights] = picked_losses(input, target, options.weight, options.ignore_index);
  switch (options.reduction) {
    case Reduction::None: return losses.reshape(target.shape());
    case Reduction::Sum: return losses.sum();
    case Reduction::Mean: return losses.sum() / weights.sum();  // NaN when everything is ignored, as PyTorch
  }
  return losses;
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyOptions& options) {
  EMBER_CHECK(input.defined() && target.defined() && input.dim() >= 1,
              "cross_entropy: expected an input with a class dim");
  EMBER_CHECK(input.is_floating_point(), "cross_entropy: expected floating point logits, got {}", input.dtype());
  check_batch("cross_entropy", input, target);  // after the dtype: torch's log_softmax checks that first
  const double smoothing = options.label_smoothing;
  EMBER_CHECK(smoothing >= 0.0 && smoothing <= 1.0,
              "cross_entropy: label_smoothing must be between 0.0 and 1.0, got {}", smoothing);
  const int64_t class_dim = input.dim() == 1 ? 0 : 1, classes = input.size(class_dim);
  check_weight("cross_entropy", options.weight, classes);
  const Tensor log_probs = log_softmax(input, class_dim);
  // The weight broadcast along the class dim of input.
  Shape weight_shape(static_cast<size_t>(input.dim()), 1);
  weight_shape[class_dim] = classes;
  const Tensor class_weight = options.weight.defined() ? options.weight.reshape(weight_shape) : Tensor();

  if (target.is_floating_point()) {  // class probabilities
    EMBER_CHECK(target.shape() == input.shape(),
                "cross_entropy: expected class probabilities of the input's shape {}, got {}", input.shape(),
                target.shape());
    EMBER_CHECK_VALUE(options.ignore_index == -100,
                      "cross_entropy: ignore_index is not supported for floating point target");
    const Tensor smoothed = smoothing > 0 ? target * (1 - smoothing) + smoothing / static_cast<double>(classes) : target;
    Tensor terms = log_probs * smoothed;
    if (class_weight.defined()) terms = terms * class_weight;
    const Tensor losses = -terms.sum({class_dim});
    if (options.reduction != Reduction::Mean) return reduce(losses, options.reduction);
    return losses.sum() / static_cast<double>(input.dim() == 1 ? 1 : losses.numel());
  }

  check_class_targets("cross_entropy", input, target, options.ignore_index);
  auto [losses, weights] = picked_losses(log_probs, target, options.weight, options.ignore_index);
  if (smoothing == 0.0) {
    switch (options.reduction) {
      case Reduction::None: return losses.reshape(target.shape());
      case Reduction::Sum: return losses.sum();
      case Reduction::Mean: return losses.sum() / weights.sum();
    }
  }
  // Label smoothing mixes in the (weighted) mean over classes of -log p, per element.
  Tensor spread = class_weight.defined() ? log_probs * class_weight : log_probs;
  Tensor smooth = -classes_last(spread).sum({1});
  smooth = where(eq(target.reshape({-1}), options.ignore_index), 0.0, smooth);
  const double keep = 1 - smoothing, share = smoothing / static_cast<double>(classes);
  switch (options.reduction) {
    case Reduction::None: return (losses * keep + smooth * share).reshape(target.shape());
    case Reduction::Sum: return losses.sum() * keep + smooth.sum() * share;
    case Reduction::Mean: {
      const Tensor denominator = weights.sum();
      return losses.sum() / denominator * keep + smooth.sum() / denominator * share;
    }
  }
  return losses;
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_pair("mse_loss", input, target);
  const Tensor diff = input - target;
  return reduce(diff * diff, reduction);
}

Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_pair("l1_loss", input, target);
  return reduce(abs(input - target), reduction);
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction, double beta) {
  check_pair("smooth_l1_loss", input, target);
  EMBER_CHECK(beta >= 0, "smooth_l1_loss: beta must be non-negative, got {}", beta);
  const Tensor diff = abs(input - target);
  if (beta == 0) return reduce(diff, reduction);
  return reduce(where(lt(diff, beta), diff * diff * (0.5 / beta), diff - 0.5 * beta), reduction);
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, Reduction reduction) {
  check_same_shape("binary_cross_entropy", input, target);
  check_pair("binary_cross_entropy", input, target);
  {
    const Tensor values = input.detach();
    EMBER_CHECK(logical_and(ge(values, 0), le(values, 1)).all().item<bool>(),
                "binary_cross_entropy: all elements of input should be between 0 and 1");
  }
  // Logs clamped at -100 keep the loss finite at 0 and 1, as PyTorch.
  const Tensor log_p = clamp(log(input), -100.0), log_q = clamp(log(1 - input), -100.0);
  Tensor loss = -(target * log_p + (1 - target) * log_q);
  if (weight.defined()) loss = loss * weight;
  return reduce(loss, reduction);
}

// (1 - t) x + (1 + (pw - 1) t) log(1 + exp(-x)), with log(1 + exp(-x)) = log1p(exp(-|x|)) + max(-x, 0).
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight,
                                        const Tensor& pos_weight, Reduction reduction) {
  check_same_shape("binary_cross_entropy_with_logits", input, target);
  check_pair("binary_cross_entropy_with_logits", input, target);
  const Tensor softplus_neg = log1p(exp(-abs(input))) + relu(-input);
  const Tensor log_weight = pos_weight.defined() ? (pos_weight - 1) * target + 1 : Tensor();
  Tensor loss = (1 - target) * input + (log_weight.defined() ? log_weight * softplus_neg : softplus_neg);
  if (weight.defined()) loss = loss * weight;
  return reduce(loss, reduction);
}

Tensor kl_div(const Tensor& input, const Tensor& target, KLDivReduction reduction, bool log_target) {
  check_pair("kl_div", input, target);
  // target * (log target - input); where target == 0 the term is 0 (x log x -> 0).
  const Tensor loss = log_target ? exp(target) * (target - input)
                                 : where(gt(target, 0), target * (log(where(gt(target, 0), target, 1.0)) - input), 0.0);
  switch (reduction) {
    case KLDivReduction::None: return loss;
    case KLDivReduction::Sum: return loss.sum();
    case KLDivReduction::Mean: return loss.mean();
    case KLDivReduction::BatchMean: return input.dim() == 0 ? loss.sum() : loss.sum() / static_cast<double>(input.size(0));
  }
  return loss;
}

}  // namespace ember::nn::functional
