// DDP's cost on one machine, run under mpirun (issue 6's speed bars):
//   mpirun -np 1 bench_ddp   then   mpirun -np 2 bench_ddp   (1 OpenMP thread per rank)
// 1. Samples/s of the Fashion-MNIST MLP (784-256-128-10, Adam, batch 128 per
//    rank, synthetic data) summed over the ranks: np 2 against np 1.
// 2. All-reduce of 25 MB float32: ember's ProcessGroup (MPI_Iallreduce + the
//    timeout-aware wait) against an osu_allreduce-style MPI_Allreduce loop on
//    the same buffer, in the same run; bus bandwidth 2 (n - 1) / n * bytes / time.
#include <ember/ember.h>

#define OMPI_SKIP_MPICXX 1
#include <mpi.h>

#include <fmt/core.h>

#include <chrono>

using namespace ember;
namespace F = ember::nn::functional;
using Clock = std::chrono::steady_clock;

namespace {
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }
}  // namespace

int main() {
  distributed::init_process_group(distributed::Backend::MPI);
  distributed::ProcessGroup& group = distributed::default_group();
  const int rank = group.rank(), world = group.size();

  // ---- 1. MLP training throughput ----
  manual_seed(0);
  auto model = std::make_shared<nn::Sequential>(nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 128), nn::ReLU(),
                                                nn::Linear(128, 10));
  distributed::DistributedDataParallel ddp(model);
  optim::Adam opt(ddp.parameters(), {.lr = 1e-3});
  const int64_t batch = 128;
  Tensor x = rand({batch, 784}), y = randint(0, 10, {batch});
  auto step = [&] {
    Tensor loss = F::cross_entropy(ddp.forward(x), y);
    opt.zero_grad();
    loss.backward();
    ddp.finalize();
    opt.step();
  };
  for (int i = 0; i < 20; ++i) step();
  group.barrier();
  const int steps = 400;
  auto start = Clock::now();
  for (int i = 0; i < steps; ++i) step();
  group.barrier();
  const double train_s = seconds_since(start);
  const double samples_per_s = static_cast<double>(steps * batch * world) / train_s;

  // ---- 2. 25 MB all-reduce: ProcessGroup against MPI_Allreduce ----
  const int64_t n = 25 * 1000 * 1000 / 4;
  Tensor buffer = ones({n});
  const int iterations = 20;
  auto bus_gbs = [&](double s) { return 2.0 * (world - 1) / world * static_cast<double>(n * 4) / s / 1e9; };
  double ember_s = 0, mpi_s = 0;
  for (int round = 0; round < 2; ++round) {  // alternate, so both see the same machine
    group.all_reduce(buffer);
    group.barrier();
    start = Clock::now();
    for (int i = 0; i < iterations; ++i) group.all_reduce(buffer);
    ember_s += seconds_since(start) / iterations / 2;
    MPI_Allreduce(MPI_IN_PLACE, buffer.data_ptr(), static_cast<int>(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Barrier(MPI_COMM_WORLD);
    start = Clock::now();
    for (int i = 0; i < iterations; ++i) {
      MPI_Allreduce(MPI_IN_PLACE, buffer.data_ptr(), static_cast<int>(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    }
    mpi_s += seconds_since(start) / iterations / 2;
  }
  if (rank == 0) {
    fmt::print("ranks {}  MLP batch {} per rank: {:.0f} samples/s (all ranks), {:.2f} ms/step\n", world, batch,
               samples_per_s, 1e3 * train_s / steps);
    if (world > 1) {
      fmt::print("all_reduce 25 MB float32: ember {:.2f} ms ({:.2f} GB/s bus), MPI_Allreduce {:.2f} ms ({:.2f} GB/s bus): "
                 "ember at {:.0f}% of MPI\n",
                 1e3 * ember_s, bus_gbs(ember_s), 1e3 * mpi_s, bus_gbs(mpi_s), 100 * mpi_s / ember_s);
    }
  }
  distributed::destroy_process_group();
  return 0;
}
