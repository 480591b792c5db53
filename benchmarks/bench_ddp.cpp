// DDP's cost on one machine, run under mpirun (issue 6's speed bars):
//   mpirun -np 2 bench_ddp   (1 OpenMP thread per rank)
// 1. Samples/s of the Fashion-MNIST MLP (784-256-128-10, Adam, batch 128 per
//    rank, synthetic data): first one process alone without DDP (rank 0, while
//    the other ranks sleep rather than spin in a barrier), then every rank
//    under DDP; the ratio is the speed-up the second core buys.
// 2. All-reduce of 25 MB float32: ember's ProcessGroup (MPI_Iallreduce + the
//    timeout-aware wait) against an osu_allreduce-style MPI_Allreduce loop on
//    the same buffer, in the same run; bus bandwidth 2 (n - 1) / n * bytes / time.
#include <ember/ember.h>

#define OMPI_SKIP_MPICXX 1
#include <mpi.h>

#include <fmt/core.h>

#include <chrono>
#include <functional>
#include <thread>

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

  // ---- 1. MLP training throughput: alone, then under DDP ----
  const int64_t batch = 128;
  const int steps = 400;
  auto mlp = [] {
    manual_seed(0);
    return std::make_shared<nn::Sequential>(nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 128), nn::ReLU(),
                                            nn::Linear(128, 10));
  };
  // Samples/s of this process training `model` (a DDP wrapper or the MLP itself).
  auto samples_per_s = [&](nn::Module& model, const std::function<void()>& after_backward) {
    optim::Adam opt(model.parameters(), {.lr = 1e-3});
    Tensor x = rand({batch, 784}), y = randint(0, 10, {batch});
    auto step = [&] {
      Tensor loss = F::cross_entropy(model.forward(x), y);
      opt.zero_grad();
      loss.backward();
      after_backward();
      opt.step();
    };
    for (int i = 0; i < 20; ++i) step();
    const auto start = Clock::now();
    for (int i = 0; i < steps; ++i) step();
    return static_cast<double>(steps * batch) / seconds_since(start);
  };
  double alone = 0;
  if (rank == 0) {
    auto model = mlp();
    alone = samples_per_s(*model, [] {});
  }
  // The others wait for rank 0 without taking a core from it.
  int done = 1;
  MPI_Request request = MPI_REQUEST_NULL;
  if (rank == 0) {
    for (int r = 1; r < world; ++r) MPI_Send(&done, 1, MPI_INT, r, 0, MPI_COMM_WORLD);
  } else {
    MPI_Irecv(&done, 1, MPI_INT, 0, 0, MPI_COMM_WORLD, &request);
    for (int finished = 0; !finished; std::this_thread::sleep_for(std::chrono::milliseconds(10))) {
      MPI_Test(&request, &finished, MPI_STATUS_IGNORE);
    }
  }
  distributed::DistributedDataParallel ddp(mlp());
  group.barrier();
  const double per_rank = samples_per_s(ddp, [&] { ddp.finalize(); });
  Tensor all = full({1}, per_rank, kFloat64);
  group.all_reduce(all);  // every rank's samples/s, summed
  const double together = all.item<double>();

  // ---- 2. 25 MB all-reduce: ProcessGroup against MPI_Allreduce ----
  const int64_t n = 25 * 1000 * 1000 / 4;
  Tensor buffer = ones({n});
  const int iterations = 20;
  auto bus_gbs = [&](double s) { return 2.0 * (world - 1) / world * static_cast<double>(n * 4) / s / 1e9; };
  double ember_s = 0, mpi_s = 0;
  for (int round = 0; round < 2; ++round) {  // alternate, so both see the same machine
    group.all_reduce(buffer);
    group.barrier();
    auto start = Clock::now();
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
    fmt::print("MLP, batch {} per rank, 1 thread each: 1 process without DDP {:.0f} samples/s; {} ranks under DDP "
               "{:.0f} samples/s together: {:.2f}x\n",
               batch, alone, world, together, together / alone);
    if (world > 1) {
      fmt::print("all_reduce 25 MB float32: ember {:.2f} ms ({:.2f} GB/s bus), MPI_Allreduce {:.2f} ms ({:.2f} GB/s bus): "
                 "ember at {:.0f}% of MPI\n",
                 1e3 * ember_s, bus_gbs(ember_s), 1e3 * mpi_s, bus_gbs(mpi_s), 100 * mpi_s / ember_s);
    }
  }
  distributed::destroy_process_group();
  return 0;
}
