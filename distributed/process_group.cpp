// ProcessGroup and Work: checks what every collective is given, moves the data
// through distributed/mpi.cpp (CPU tensors) or cuda/nccl.cpp (CUDA tensors),
// and waits with the group's timeout. The default group of init_process_group.
#include <ember/distributed/process_group.h>

#include <ember/autograd/grad_mode.h>
#include <ember/core/error.h>
#include <ember/cuda/cuda.h>
#include <ember/cuda/nccl.h>
#include <ember/distributed/mpi.h>
#include <ember/ops/ops.h>

#include <fmt/format.h>

#include <thread>

namespace ember::distributed {

std::string_view backend_name(Backend backend) { return backend == Backend::MPI ? "mpi" : "nccl"; }

std::string_view reduce_op_name(ReduceOp op) {
  switch (op) {
    case ReduceOp::Sum: return "sum";
    case ReduceOp::Avg: return "avg";
    case ReduceOp::Max: return "max";
    case ReduceOp::Min: return "min";
    case ReduceOp::Product: return "product";
  }
  return "?";
}

// ---- Work ----

// Note [Timeouts]
// Every collective is launched non-blocking and waited for by Work::wait, which
// polls it (MPI_Test drives OpenMPI's progress; cudaEventQuery and
// ncclCommGetAsyncError for NCCL) until it completes or the group's timeout has
// passed since the wait began. A rank that died or stopped calling collectives
// thus makes every other rank throw an ember::Error naming the collective, its
// size, the rank and the timeout, instead of hanging: MPI's error handler is set
// to return (distributed/mpi.cpp), and on NCCL the timed-out communicator is
// aborted (the watchdog PyTorch runs in a thread is this loop, on the waiting
// thread, since ember waits on the host). Blocking forms are async + wait.
struct Work::State {
  std::unique_ptr<detail::PendingOp> op;
  std::string what;
  Timeout timeout{};
  bool done = false;
  bool timed_out = false;

  bool poll() {
    if (done) return true;
    EMBER_CHECK(!timed_out, "timed out before (after {} ms); the group is unusable", timeout.count());
    if (!op->poll()) return false;
    done = true;
    if (op->finish) {
      NoGradGuard no_grad;  // results land in parameters too (DDP's broadcast)
      op->finish();
    }
    op->keep_alive.clear();
    return true;
  }
};

Work::Work(std::unique_ptr<detail::PendingOp> op, std::string what, Timeout timeout)
    : state_(std::make_shared<State>()) {
  state_->op = std::move(op);
  state_->what = std::move(what);
  state_->timeout = timeout;
}

const std::string& Work::what() const {
  static const std::string nothing = "no-op";
  return state_ ? state_->what : nothing;
}

bool Work::is_completed() {
  if (!state_) return true;
  try {
    return state_->poll();
  } catch (const Error& e) {
    ember::detail::fail(ErrorKind::Runtime, "{}: {}", state_->what, e.what());
  }
}

void Work::wait() {
  if (!state_) return;
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto deadline = start + state_->timeout;
  // Spin (yielding) for the first 100 ms, then poll every 100 us so that long
  // waits leave the cores to the others. OpenMPI's non-blocking collectives
  // progress only inside MPI calls (MPI_Test here): a 25 MB all-reduce is many
  // rounds, and sleeping between them made it 3x slower than MPI_Allreduce.
  for (int64_t polls = 0;; ++polls) {
    if (is_completed()) return;
    const auto now = Clock::now();
    if (now >= deadline) {
      state_->op->abandon();
      // The transport may still write into the op's buffers (a late message):
      // they are leaked on purpose, never freed under it.
      (void)state_->op.release();
      state_->timed_out = true;
      ember::detail::fail(ErrorKind::Runtime,
                   "{}: timed out after {} ms: a rank died or stopped calling collectives (the timeout is "
                   "init_process_group's)",
                   what(), state_->timeout.count());
    }
    if (now - start < std::chrono::milliseconds(100)) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  }
}

// ---- ProcessGroup ----

namespace {

// The collectives' codes in the cross-rank signature.
enum class Collective : int64_t { AllReduce = 1, Broadcast, AllGather, ReduceScatter, Send, Recv };

std::string_view collective_name(int64_t code) {
  switch (static_cast<Collective>(code)) {
    case Collective::AllReduce: return "all_reduce";
    case Collective::Broadcast: return "broadcast";
    case Collective::AllGather: return "all_gather";
    case Collective::ReduceScatter: return "reduce_scatter";
    case Collective::Send: return "send";
    case Collective::Recv: return "recv";
  }
  return "?";
}

cuda::NcclRedOp nccl_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::Sum: return cuda::NcclRedOp::Sum;
    case ReduceOp::Avg: return cuda::NcclRedOp::Avg;
    case ReduceOp::Max: return cuda::NcclRedOp::Max;
    case ReduceOp::Min: return cuda::NcclRedOp::Min;
    case ReduceOp::Product: return cuda::NcclRedOp::Product;
  }
  return cuda::NcclRedOp::Sum;
}

struct NcclPending : detail::PendingOp {
  std::shared_ptr<cuda::NcclComm> comm;
  std::shared_ptr<cuda::NcclEvent> event;
  bool poll() override {
    if (!cuda::nccl_query(*comm, *event)) return false;
    cuda::nccl_stream_wait(*event);
    return true;
  }
  void abandon() override { cuda::nccl_abort(*comm); }
};

// A contiguous tensor with tensor's values (tensor itself when it is contiguous).
Tensor contiguous_buffer(const Tensor& tensor) { return tensor.is_contiguous() ? tensor : tensor.contiguous(); }

}  // namespace

struct ProcessGroup::Impl {
  std::shared_ptr<cuda::NcclComm> nccl;
  int device = -1;

  // Launches on NCCL for CUDA tensors; the PendingOp holds the communicator.
  std::unique_ptr<detail::PendingOp> nccl_launch(cuda::NcclCall call, const Tensor& input, const Tensor& output,
                                                 int64_t count, ReduceOp op, int peer) {
    auto pending = std::make_unique<NcclPending>();
    pending->comm = nccl;
    pending->event = cuda::nccl_launch(*nccl, call, input.defined() ? input.data_ptr() : nullptr,
                                       output.defined() ? output.data_ptr() : nullptr, count,
                                       input.defined() ? input.dtype() : output.dtype(), nccl_op(op), peer);
    return pending;
  }
};

ProcessGroup::ProcessGroup(Backend backend, Timeout timeout)
    : impl_(std::make_unique<Impl>()), backend_(backend), timeout_(timeout) {
  EMBER_CHECK_VALUE(timeout.count() > 0, "ProcessGroup: expected a positive timeout, got {} ms", timeout.count());
  mpi::init();
  rank_ = mpi::rank();
  size_ = mpi::world_size();
  if (backend == Backend::NCCL) {
    EMBER_CHECK(cuda::nccl_available(), "init_process_group(Backend::NCCL): ember was built without NCCL");
    EMBER_CHECK(cuda::is_available() && cuda::device_count() > 0,
                "init_process_group(Backend::NCCL): expected a CUDA device, found none (use Backend::MPI on CPU)");
    impl_->device = mpi::local_rank() % cuda::device_count();
    cuda::set_device(impl_->device);
    // NCCL's own bootstrap: rank 0 makes the unique id, MPI carries it to the others.
    Tensor id = zeros({static_cast<int64_t>(sizeof(cuda::NcclUniqueId))}, kUInt8);
    if (rank_ == 0) {
      const cuda::NcclUniqueId made = cuda::nccl_unique_id();
      std::copy(made.begin(), made.end(), static_cast<char*>(id.data_ptr()));
    }
    broadcast(id, 0);
    cuda::NcclUniqueId received;
    std::copy_n(static_cast<const char*>(id.data_ptr()), received.size(), received.begin());
    impl_->nccl = cuda::nccl_comm_init(rank_, size_, received, impl_->device);
  }
}

ProcessGroup::~ProcessGroup() = default;

namespace {

// What every collective checks of its own tensor before anything moves.
void check_tensor(const char* op, const Tensor& tensor, Backend backend) {
  EMBER_CHECK_VALUE(tensor.defined(), "{}: expected a defined tensor, got an undefined one", op);
  if (tensor.is_cuda()) {
    EMBER_CHECK(backend == Backend::NCCL,
                "{}: expected a CPU tensor with Backend::MPI, got one on {} (init_process_group(Backend::NCCL) "
                "carries CUDA tensors)",
                op, tensor.device());
  } else {
    EMBER_CHECK_TYPE(mpi::supports(tensor.dtype()), "{}: expected a dtype MPI carries (float32, float64, int64, int32, "
                     "uint8, bool), got {} on cpu",
                     op, tensor.dtype());
  }
}

void check_reduce_op(const char* op, const Tensor& tensor, ReduceOp reduce) {
  EMBER_CHECK_TYPE(reduce != ReduceOp::Avg || tensor.is_floating_point(),
                   "{}: expected a floating dtype for ReduceOp::Avg, got {} (sum, then divide as you need)", op,
                   tensor.dtype());
  EMBER_CHECK_TYPE(tensor.dtype() != kBool || reduce == ReduceOp::Max || reduce == ReduceOp::Min,
                   "{}: bool tensors reduce with max or min only, got {}", op, reduce_op_name(reduce));
}

// all_gather's outputs and reduce_scatter's inputs: one tensor per rank, each
// of `like`'s shape, dtype and device.
void check_one_per_rank(const char* op, const char* role, const std::vector<Tensor>& list, const Tensor& like,
                        const char* like_role, int size) {
  EMBER_CHECK_VALUE(static_cast<int>(list.size()) == size, "{}: expected {} {} tensors (one per rank), got {}", op,
                    size, role, list.size());
  for (size_t r = 0; r < list.size(); ++r) {
    const Tensor& t = list[r];
    EMBER_CHECK_VALUE(t.defined() && t.shape() == like.shape() && t.dtype() == like.dtype() && t.device() == like.device(),
                      "{}: expected {} {} to be {} {} on {} like the {}, got {}", op, role, r, like.shape(),
                      like.dtype(), like.device(), like_role,
                      t.defined() ? fmt::format("{} {} on {}", t.shape(), t.dtype(), t.device())
                                  : std::string("an undefined tensor"));
  }
}

}  // namespace

// Note [Cross-rank checks]
// MPI matches collectives by order only: a rank that passes 13 elements where
// another passes 12 gets truncated or corrupted data, or hangs. So every
// checked collective first all-gathers a signature (collective, dtype, numel,
// extra: the op or root), and every rank compares all of them, so every rank
// fails with the same message naming the first rank that differs from rank 0.
// DDP's bucket reductions skip this: it checked the model at construction.
void ProcessGroup::check_same_on_every_rank(const char* op, const Tensor& tensor, int64_t extra) {
  const int64_t code = [&] {
    const std::string_view name = op;
    for (int64_t c = 1; c <= 6; ++c) {
      if (collective_name(c) == name) return c;
    }
    return int64_t{0};
  }();
  Tensor mine = empty({4}, kInt64);
  int64_t* m = mine.data_ptr<int64_t>();
  m[0] = code, m[1] = static_cast<int64_t>(tensor.dtype()), m[2] = tensor.numel(), m[3] = extra;
  Tensor all = empty({size_, 4}, kInt64);
  Work(mpi::all_gather(mine.data_ptr(), all.data_ptr(), 4, kInt64),
       fmt::format("{}: the cross-rank size check on rank {} of {}", op, rank_, size_), timeout_)
      .wait();
  const int64_t* s = all.data_ptr<int64_t>();
  for (int r = 1; r < size_; ++r) {
    const int64_t* t = s + 4 * r;
    EMBER_CHECK(t[0] == s[0], "{}: expected every rank to call {}, got {} on rank {}", op, collective_name(s[0]),
                collective_name(t[0]), r);
    EMBER_CHECK_VALUE(t[1] == s[1] && t[2] == s[2],
                      "{}: expected the same number of elements and dtype on every rank, got {} {} on rank 0 and {} {} "
                      "on rank {}",
                      op, s[2], static_cast<DType>(s[1]), t[2], static_cast<DType>(t[1]), r);
    EMBER_CHECK_VALUE(t[3] == s[3], "{}: expected the same {} on every rank, got {} on rank 0 and {} on rank {}", op,
                      code == static_cast<int64_t>(Collective::Broadcast) ? "source rank" : "reduce op", s[3], t[3], r);
  }
}

Work ProcessGroup::all_reduce_async(Tensor& tensor, ReduceOp op) {
  check_tensor("all_reduce", tensor, backend_);
  check_reduce_op("all_reduce", tensor, op);
  check_same_on_every_rank("all_reduce", tensor, static_cast<int64_t>(op));
  if (tensor.is_contiguous()) return all_reduce_unchecked_async(tensor, op);
  Tensor buffer = tensor.contiguous();
  Work work = all_reduce_unchecked_async(buffer, op);
  // The copy back runs after the reduction (and its division, for avg).
  struct CopyBack : detail::PendingOp {
    Work inner;
    bool poll() override { return inner.is_completed(); }
  };
  auto chained = std::make_unique<CopyBack>();
  chained->inner = work;
  chained->finish = [tensor, buffer]() mutable { tensor.copy_(buffer); };
  return Work(std::move(chained), work.what(), timeout_);
}

Work ProcessGroup::all_reduce_unchecked_async(Tensor& tensor, ReduceOp op) {
  EMBER_INTERNAL_ASSERT(tensor.is_contiguous(), "all_reduce_unchecked_async: expected a contiguous tensor");
  std::string what =
      fmt::format("all_reduce({}) of {} {} on rank {} of {}", reduce_op_name(op), tensor.numel(), tensor.dtype(),
                  rank_, size_);
  std::unique_ptr<detail::PendingOp> pending;
  if (tensor.is_cuda()) {
    pending = impl_->nccl_launch(cuda::NcclCall::AllReduce, tensor, tensor, tensor.numel(), op, 0);
  } else {
    pending = mpi::all_reduce(tensor.data_ptr(), tensor.numel(), tensor.dtype(),
                              op == ReduceOp::Avg ? ReduceOp::Sum : op);
    if (op == ReduceOp::Avg) pending->finish = [tensor, n = size_]() mutable { tensor.div_(n); };
  }
  pending->keep_alive.push_back(tensor);
  return Work(std::move(pending), std::move(what), timeout_);
}

Work ProcessGroup::broadcast_async(Tensor& tensor, int src) {
  check_tensor("broadcast", tensor, backend_);
  EMBER_CHECK_INDEX(src >= 0 && src < size_, "broadcast: expected a source rank in [0, {}), got {}", size_, src);
  check_same_on_every_rank("broadcast", tensor, src);
  Tensor buffer = contiguous_buffer(tensor);
  std::string what =
      fmt::format("broadcast from rank {} of {} {} on rank {} of {}", src, tensor.numel(), tensor.dtype(), rank_, size_);
  std::unique_ptr<detail::PendingOp> pending =
      tensor.is_cuda() ? impl_->nccl_launch(cuda::NcclCall::Broadcast, buffer, buffer, buffer.numel(), ReduceOp::Sum, src)
                       : mpi::broadcast(buffer.data_ptr(), buffer.numel(), buffer.dtype(), src);
  if (!buffer.is_alias_of(tensor)) pending->finish = [tensor, buffer]() mutable { tensor.copy_(buffer); };
  pending->keep_alive = {tensor, buffer};
  return Work(std::move(pending), std::move(what), timeout_);
}

Work ProcessGroup::all_gather_async(std::vector<Tensor>& outputs, const Tensor& input) {
  check_tensor("all_gather", input, backend_);
  check_one_per_rank("all_gather", "output", outputs, input, "input", size_);
  check_same_on_every_rank("all_gather", input, 0);
  Tensor in = contiguous_buffer(input);
  Tensor gathered = empty({size_, input.numel()}, input.options());
  std::string what =
      fmt::format("all_gather of {} {} on rank {} of {}", input.numel(), input.dtype(), rank_, size_);
  std::unique_ptr<detail::PendingOp> pending =
      input.is_cuda() ? impl_->nccl_launch(cuda::NcclCall::AllGather, in, gathered, in.numel(), ReduceOp::Sum, 0)
                      : mpi::all_gather(in.data_ptr(), gathered.data_ptr(), in.numel(), in.dtype());
  pending->finish = [outputs, gathered]() mutable {
    for (size_t r = 0; r < outputs.size(); ++r) outputs[r].copy_(gathered[static_cast<int64_t>(r)].view(outputs[r].shape()));
  };
  pending->keep_alive = {in, gathered};
  return Work(std::move(pending), std::move(what), timeout_);
}

Work ProcessGroup::reduce_scatter_async(Tensor& output, const std::vector<Tensor>& inputs, ReduceOp op) {
  check_tensor("reduce_scatter", output, backend_);
  check_reduce_op("reduce_scatter", output, op);
  check_one_per_rank("reduce_scatter", "input", inputs, output, "output", size_);
  check_same_on_every_rank("reduce_scatter", output, static_cast<int64_t>(op));
  std::vector<Tensor> flat;
  for (const Tensor& t : inputs) flat.push_back(t.reshape({output.numel()}));
  Tensor stacked = stack(flat);  // [size, numel], contiguous
  Tensor out = contiguous_buffer(output);
  std::string what = fmt::format("reduce_scatter({}) of {} {} per rank on rank {} of {}", reduce_op_name(op),
                                 output.numel(), output.dtype(), rank_, size_);
  std::unique_ptr<detail::PendingOp> pending;
  if (output.is_cuda()) {
    pending = impl_->nccl_launch(cuda::NcclCall::ReduceScatter, stacked, out, out.numel(), op, 0);
  } else {
    pending = mpi::reduce_scatter(stacked.data_ptr(), out.data_ptr(), out.numel(), out.dtype(),
                                  op == ReduceOp::Avg ? ReduceOp::Sum : op);
  }
  const bool divide = op == ReduceOp::Avg && !output.is_cuda();
  pending->finish = [output, out, divide, n = size_]() mutable {
    if (divide) out.div_(n);
    if (!out.is_alias_of(output)) output.copy_(out);
  };
  pending->keep_alive = {stacked, out};
  return Work(std::move(pending), std::move(what), timeout_);
}

Work ProcessGroup::barrier_async() {
  return Work(mpi::barrier(), fmt::format("barrier on rank {} of {}", rank_, size_), timeout_);
}

Work ProcessGroup::send_async(const Tensor& tensor, int dst, int tag) {
  check_tensor("send", tensor, backend_);
  EMBER_CHECK_INDEX(dst >= 0 && dst < size_ && dst != rank_, "send: expected a destination rank in [0, {}) other than {}, got {}",
                    size_, rank_, dst);
  Tensor buffer = contiguous_buffer(tensor);
  std::string what = fmt::format("send of {} {} from rank {} to rank {} (tag {}), world size {}", tensor.numel(),
                                 tensor.dtype(), rank_, dst, tag, size_);
  std::unique_ptr<detail::PendingOp> pending =
      tensor.is_cuda() ? impl_->nccl_launch(cuda::NcclCall::Send, buffer, Tensor(), buffer.numel(), ReduceOp::Sum, dst)
                       : mpi::send(buffer.data_ptr(), buffer.numel(), buffer.dtype(), dst, tag);
  pending->keep_alive = {buffer};
  return Work(std::move(pending), std::move(what), timeout_);
}

Work ProcessGroup::recv_async(Tensor& tensor, int src, int tag) {
  check_tensor("recv", tensor, backend_);
  EMBER_CHECK_INDEX(src >= 0 && src < size_ && src != rank_, "recv: expected a source rank in [0, {}) other than {}, got {}",
                    size_, rank_, src);
  Tensor buffer = contiguous_buffer(tensor);
  std::string what = fmt::format("recv of {} {} on rank {} from rank {} (tag {}), world size {}", tensor.numel(),
                                 tensor.dtype(), rank_, src, tag, size_);
  std::unique_ptr<detail::PendingOp> pending =
      tensor.is_cuda() ? impl_->nccl_launch(cuda::NcclCall::Recv, Tensor(), buffer, buffer.numel(), ReduceOp::Sum, src)
                       : mpi::recv(buffer.data_ptr(), buffer.numel(), buffer.dtype(), src, tag);
  if (!buffer.is_alias_of(tensor)) pending->finish = [tensor, buffer]() mutable { tensor.copy_(buffer); };
  pending->keep_alive = {tensor, buffer};
  return Work(std::move(pending), std::move(what), timeout_);
}

// ---- the default group ----

namespace {
std::unique_ptr<ProcessGroup> world;
}

void init_process_group(Backend backend, Timeout timeout) {
  EMBER_CHECK(world == nullptr,
              "init_process_group: expected one call, got a second one (call destroy_process_group() first)");
  world = std::make_unique<ProcessGroup>(backend, timeout);
}

void destroy_process_group() {
  world.reset();
  mpi::finalize();
}

bool is_initialized() { return world != nullptr; }

ProcessGroup& default_group() {
  EMBER_CHECK(world != nullptr, "distributed: expected init_process_group() to have been called, got no process group");
  return *world;
}

int get_rank() { return default_group().rank(); }
int get_world_size() { return default_group().size(); }
int get_local_rank() {
  default_group();
  return mpi::local_rank();
}

}  // namespace ember::distributed
