// The Catch2 main of the MPI tests: every rank of `mpirun -np N test_distributed
// [tag]` runs the same test cases in the same order, inside one process group.
// A rank that fails while others wait in a collective makes them time out
// (EMBER_TEST_TIMEOUT_S, default 60 s) instead of hanging the job.
#define CATCH_CONFIG_RUNNER
#include <ember/ember.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>

int main(int argc, char** argv) {
  using namespace ember;
  const char* timeout = std::getenv("EMBER_TEST_TIMEOUT_S");
  distributed::init_process_group(distributed::Backend::MPI,
                                  std::chrono::seconds(timeout != nullptr ? std::atoi(timeout) : 60));
  int result = Catch::Session().run(argc, argv);
  // The job fails when any rank failed.
  Tensor failed = full({1}, static_cast<int64_t>(result != 0), kInt64);
  distributed::all_reduce(failed, distributed::ReduceOp::Max);
  distributed::destroy_process_group();
  return failed.item<int64_t>() != 0 ? 1 : 0;
}
