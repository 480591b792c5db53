// Uses ember the way a user would, through the umbrella header.
#include <ember/ember.h>

int main() {
  ember::Tensor t = ember::arange(4, ember::kFloat64).reshape({2, 2});
  return (t + 1).to_vector<double>() == std::vector<double>{1, 2, 3, 4} ? 0 : 1;
}
