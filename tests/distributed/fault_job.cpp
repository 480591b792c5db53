// A small DDP training job that goes wrong on purpose, for the fault tests
// (tests/distributed/check_fault.sh runs it under mpirun -np 3):
//   fault_job dead_rank TIMEOUT_S   rank 1 exits abruptly at step 3; the others
//                                   must fail with a clear message, not hang
//   fault_job mismatch TIMEOUT_S    rank 1 builds a different model; every rank
//                                   must fail at DDP's construction
// A rank that catches ember::Error prints "rank R: <message>" and exits 1.
#include <ember/ember.h>

#include <fmt/core.h>

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace ember;

int main(int argc, char** argv) {
  if (argc != 3) {
    fmt::print(stderr, "usage: fault_job dead_rank|mismatch TIMEOUT_S\n");
    return 2;
  }
  const std::string mode = argv[1];
  distributed::init_process_group(distributed::Backend::MPI, std::chrono::seconds(std::atoi(argv[2])));
  const int rank = distributed::get_rank();
  try {
    const int64_t hidden = mode == "mismatch" && rank == 1 ? 33 : 32;
    auto model = std::make_shared<nn::Sequential>(nn::Linear(16, hidden), nn::ReLU(), nn::Linear(hidden, 4));
    distributed::DistributedDataParallel ddp(model);
    optim::SGD opt(ddp.parameters(), {.lr = 0.01});
    for (int step = 0; step < 1000; ++step) {
      if (mode == "dead_rank" && rank == 1 && step == 3) {
        fmt::print(stderr, "rank 1: exiting abruptly at step 3\n");
        std::fflush(stderr);
        std::_Exit(7);
      }
      Tensor loss = nn::functional::mse_loss(ddp.forward(randn({8, 16})), zeros({8, 4}));
      opt.zero_grad();
      loss.backward();
      ddp.finalize();
      opt.step();
    }
    fmt::print("rank {}: finished without an error\n", rank);
  } catch (const Error& e) {
    fmt::print(stderr, "rank {}: {}\n", rank, e.what());
    std::fflush(stderr);
    // MPI_Finalize could wait for the dead rank: leave at once, non-zero.
    std::_Exit(1);
  }
  distributed::destroy_process_group();
  return 0;
}
