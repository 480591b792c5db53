// SGD: stochastic gradient descent with momentum, dampening, Nesterov momentum
// and L2 weight decay, as torch.optim.SGD. Its state is one buffer per
// parameter, "momentum_buffer", created on the first step when momentum != 0.
#pragma once

#include <ember/optim/grouped_optimizer.h>

namespace ember::optim {

// torch.optim.SGD's arguments in its order. lr has no default: leaving it out is an error.
struct SGDOptions {
  double lr = kRequired;
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;

  void validate(std::string_view optimizer) const;
  std::vector<OptionField> fields();
};

class SGD : public GroupedOptimizer<SGDOptions> {
 public:
  explicit SGD(std::vector<Tensor> params, SGDOptions defaults = {});
  explicit SGD(std::vector<Group> groups, SGDOptions defaults = {});

  void step() override;
};

}  // namespace ember::optim
