// ProcessGroup: the collectives of torch.distributed over MPI (CPU tensors, and
// the bootstrap of every job started by mpirun/srun) and NCCL (CUDA tensors).
// Plain C++: mpi.h lives only in distributed/mpi.cpp, NCCL only in cuda/nccl.cpp.
// Every collective honours the group's timeout (Note [Timeouts] in process_group.cpp).
#pragma once

#include <ember/core/tensor.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ember::distributed {

enum class Backend { MPI, NCCL };
enum class ReduceOp { Sum, Avg, Max, Min, Product };

std::string_view backend_name(Backend backend);
std::string_view reduce_op_name(ReduceOp op);

using Timeout = std::chrono::milliseconds;
inline constexpr Timeout kDefaultTimeout = std::chrono::minutes(30);  // PyTorch's default

namespace detail {
// What one launched operation still has to do: poll() advances it and says whether
// it is done (throwing ember::Error on failure), finish() runs once after it is.
struct PendingOp {
  virtual ~PendingOp() = default;
  virtual bool poll() = 0;
  // Gives up on the operation: called when the timeout passed (NCCL aborts its communicator).
  virtual void abandon() {}
  std::function<void()> finish;
  std::vector<Tensor> keep_alive;  // the buffers the transport reads and writes
};
}  // namespace detail

// The handle of an async collective, as torch.distributed's Work: wait() blocks
// until it is done (or throws when the group's timeout passes), is_completed()
// only asks. Waiting twice is fine; the results are in the tensors passed in.
class Work {
 public:
  Work() = default;  // an already-completed no-op
  Work(std::unique_ptr<detail::PendingOp> op, std::string what, Timeout timeout);
  void wait();
  bool is_completed();
  // "all_reduce(sum) of 1024 float32" : what the errors name.
  const std::string& what() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// One group of ranks: every process of the job (the world, as torch's group.WORLD).
// Tensors are reduced in place; non-contiguous tensors work through a contiguous
// copy. CPU tensors go through MPI, CUDA tensors through NCCL (when the group was
// made with Backend::NCCL). Every rank must call the same collectives in the same
// order with the same sizes; a differing size is an error on every rank naming
// the collective and the ranks (checked before the data moves).
class ProcessGroup {
 public:
  ProcessGroup(Backend backend, Timeout timeout);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  Backend backend() const { return backend_; }
  Timeout timeout() const { return timeout_; }
  void set_timeout(Timeout timeout) { timeout_ = timeout; }

  // tensor = op over every rank's tensor.
  Work all_reduce_async(Tensor& tensor, ReduceOp op = ReduceOp::Sum);
  void all_reduce(Tensor& tensor, ReduceOp op = ReduceOp::Sum) { all_reduce_async(tensor, op).wait(); }
  // tensor = rank src's tensor.
  Work broadcast_async(Tensor& tensor, int src);
  void broadcast(Tensor& tensor, int src) { broadcast_async(tensor, src).wait(); }
  // outputs[r] = rank r's input; outputs holds size() tensors of input's shape and dtype.
  Work all_gather_async(std::vector<Tensor>& outputs, const Tensor& input);
  void all_gather(std::vector<Tensor>& outputs, const Tensor& input) { all_gather_async(outputs, input).wait(); }
  // output = op over every rank's inputs[rank()]; inputs holds size() tensors of output's shape.
  Work reduce_scatter_async(Tensor& output, const std::vector<Tensor>& inputs, ReduceOp op = ReduceOp::Sum);
  void reduce_scatter(Tensor& output, const std::vector<Tensor>& inputs, ReduceOp op = ReduceOp::Sum) {
    reduce_scatter_async(output, inputs, op).wait();
  }
  Work barrier_async();
  void barrier() { barrier_async().wait(); }
  // Point to point: tensor goes to rank dst / comes from rank src (same size, dtype, tag).
  Work send_async(const Tensor& tensor, int dst, int tag = 0);
  void send(const Tensor& tensor, int dst, int tag = 0) { send_async(tensor, dst, tag).wait(); }
  Work recv_async(Tensor& tensor, int src, int tag = 0);
  void recv(Tensor& tensor, int src, int tag = 0) { recv_async(tensor, src, tag).wait(); }

  // The reduction DistributedDataParallel launches for a gradient bucket it has
  // already checked at construction: no cross-rank size check before it (which
  // would make the launch wait for the slowest rank). Contiguous tensors only.
  Work all_reduce_unchecked_async(Tensor& tensor, ReduceOp op);

 private:
  struct Impl;
  // The collectives' common launch: checks `tensor` (device, dtype, defined), and
  // unless `unchecked` that every rank passes the same signature.
  void check_same_on_every_rank(const char* op, const Tensor& tensor, int64_t extra);
  std::unique_ptr<Impl> impl_;
  Backend backend_;
  Timeout timeout_;
  int rank_ = 0, size_ = 1;
};

// ---- the job: one default group, as torch.distributed ----
// Starts MPI (if the launcher has not) and makes the default group. Rank, world
// size and local rank come from MPI (OMPI_COMM_WORLD_LOCAL_RANK et al. for the
// local rank). Backend::NCCL also binds this process to CUDA device local_rank
// and builds an NCCL communicator, its unique id broadcast over MPI.
void init_process_group(Backend backend = Backend::MPI, Timeout timeout = kDefaultTimeout);
// Frees the default group and finalises MPI (after which MPI cannot start again).
void destroy_process_group();
bool is_initialized();
ProcessGroup& default_group();  // throws when init_process_group has not run
int get_rank();
int get_world_size();
int get_local_rank();

// torch.distributed's free functions, on the default group.
inline void all_reduce(Tensor& tensor, ReduceOp op = ReduceOp::Sum) { default_group().all_reduce(tensor, op); }
inline void broadcast(Tensor& tensor, int src) { default_group().broadcast(tensor, src); }
inline void barrier() { default_group().barrier(); }

}  // namespace ember::distributed
