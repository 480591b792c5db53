// The MPI transport: the only file that includes mpi.h. Non-blocking MPI calls
// (MPI_Iallreduce, ...) on a duplicate of MPI_COMM_WORLD whose error handler
// returns, so a failed peer becomes an ember::Error, never an abort of the job.
#include <ember/distributed/mpi.h>

#include <ember/core/error.h>

// The C API only: OpenMPI's mpi.h otherwise pulls in the deprecated C++ bindings,
// which MPI::MPI_C does not link.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <climits>
#include <cstdlib>

namespace ember::distributed::mpi {
namespace {

MPI_Comm comm = MPI_COMM_NULL;
bool we_initialised = false;

[[noreturn]] void fail_mpi(int code, const char* call, const char* file, int line) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
  ember::detail::fail(ErrorKind::Runtime, "{} failed: {} (MPI error {}; {}:{})", call, std::string_view(text, length),
                      code, file, line);
}

// MPI_CHECK(MPI_Test(...)): throws ember::Error naming the call, MPI's message and file:line.
#define MPI_CHECK(call)                                              \
  do {                                                               \
    const int ember_mpi_code_ = (call);                              \
    if (__builtin_expect(ember_mpi_code_ != MPI_SUCCESS, 0)) {       \
      fail_mpi(ember_mpi_code_, #call, __FILE__, __LINE__);          \
    }                                                                \
  } while (0)

MPI_Comm the_comm() {
  EMBER_CHECK(comm != MPI_COMM_NULL, "distributed: expected init_process_group() first");
  return comm;
}

MPI_Datatype datatype(DType dtype) {
  switch (dtype) {
    case kFloat32: return MPI_FLOAT;
    case kFloat64: return MPI_DOUBLE;
    case kInt64: return MPI_INT64_T;
    case kInt32: return MPI_INT32_T;
    case kUInt8: return MPI_UINT8_T;
    case kBool: return MPI_C_BOOL;
    default: break;
  }
  ember::detail::fail(ErrorKind::Type, "distributed (MPI): expected float32, float64, int64, int32, uint8 or bool, got {}",
                      dtype);
}

MPI_Op reduction(ReduceOp op) {
  switch (op) {
    case ReduceOp::Sum: return MPI_SUM;
    case ReduceOp::Max: return MPI_MAX;
    case ReduceOp::Min: return MPI_MIN;
    case ReduceOp::Product: return MPI_PROD;
    case ReduceOp::Avg: break;
  }
  EMBER_INTERNAL_ASSERT(false, "mpi: ReduceOp::Avg reaches MPI as a sum");
}

int checked_count(int64_t count) {
  EMBER_CHECK_VALUE(count <= INT_MAX, "distributed (MPI): expected at most {} elements per call, got {}", INT_MAX,
                    count);
  return static_cast<int>(count);
}

// One MPI request: poll() is MPI_Test, which also drives the progress of
// non-blocking collectives (OpenMPI progresses them inside MPI calls).
struct Request : detail::PendingOp {
  MPI_Request request = MPI_REQUEST_NULL;
  bool poll() override {
    int done = 0;
    MPI_CHECK(MPI_Test(&request, &done, MPI_STATUS_IGNORE));
    return done != 0;
  }
  // A request that never completes is left to MPI_Abort or the process's exit:
  // MPI_Cancel is not defined for collectives.
};

template <class Launch>
std::unique_ptr<detail::PendingOp> launch(Launch&& start) {
  auto op = std::make_unique<Request>();
  start(&op->request);
  return op;
}

}  // namespace

void init() {
  int initialised = 0;
  MPI_CHECK(MPI_Initialized(&initialised));
  if (!initialised) {
    // OpenMPI's non-blocking all-reduce picks a binomial tree for large
    // messages between few ranks: 41% of MPI_Allreduce's bandwidth on 25 MB
    // between 2 local ranks, against 97% for the ring (benchmarks/bench_ddp.cpp).
    // The ring is the default here unless the user chose (MCA env variable).
    setenv("OMPI_MCA_coll_libnbc_iallreduce_algorithm", "1", /*overwrite=*/0);
    int provided = 0;
    // SERIALIZED: one thread at a time calls MPI (the thread that runs the collectives and backward).
    MPI_CHECK(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided));
    we_initialised = true;
  }
  if (comm == MPI_COMM_NULL) {
    MPI_CHECK(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
    MPI_CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &comm));
    MPI_CHECK(MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN));
  }
}

void finalize() {
  if (comm != MPI_COMM_NULL) {
    MPI_Comm_free(&comm);
    comm = MPI_COMM_NULL;
  }
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (we_initialised && !finalised) MPI_Finalize();
}

bool is_initialized() { return comm != MPI_COMM_NULL; }

int rank() {
  int r = 0;
  MPI_CHECK(MPI_Comm_rank(the_comm(), &r));
  return r;
}

int world_size() {
  int n = 1;
  MPI_CHECK(MPI_Comm_size(the_comm(), &n));
  return n;
}

int local_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"}) {
    if (const char* value = std::getenv(name)) return std::atoi(value);
  }
  MPI_Comm node = MPI_COMM_NULL;
  MPI_CHECK(MPI_Comm_split_type(the_comm(), MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node));
  int r = 0;
  MPI_Comm_rank(node, &r);
  MPI_Comm_free(&node);
  return r;
}

bool supports(DType dtype) { return dtype != kFloat16 && dtype != kBFloat16; }

std::unique_ptr<detail::PendingOp> all_reduce(void* data, int64_t count, DType dtype, ReduceOp op) {
  return launch([&](MPI_Request* r) {
    MPI_CHECK(MPI_Iallreduce(MPI_IN_PLACE, data, checked_count(count), datatype(dtype), reduction(op), the_comm(), r));
  });
}

std::unique_ptr<detail::PendingOp> broadcast(void* data, int64_t count, DType dtype, int root) {
  return launch([&](MPI_Request* r) {
    MPI_CHECK(MPI_Ibcast(data, checked_count(count), datatype(dtype), root, the_comm(), r));
  });
}

std::unique_ptr<detail::PendingOp> all_gather(const void* input, void* output, int64_t count, DType dtype) {
  return launch([&](MPI_Request* r) {
    MPI_CHECK(MPI_Iallgather(input, checked_count(count), datatype(dtype), output, checked_count(count),
                             datatype(dtype), the_comm(), r));
  });
}

std::unique_ptr<detail::PendingOp> reduce_scatter(const void* input, void* output, int64_t count, DType dtype,
                                                  ReduceOp op) {
  return launch([&](MPI_Request* r) {
    MPI_CHECK(MPI_Ireduce_scatter_block(input, output, checked_count(count), datatype(dtype), reduction(op),
                                        the_comm(), r));
  });
}

std::unique_ptr<detail::PendingOp> barrier() {
  return launch([&](MPI_Request* r) { MPI_CHECK(MPI_Ibarrier(the_comm(), r)); });
}

std::unique_ptr<detail::PendingOp> send(const void* data, int64_t count, DType dtype, int dst, int tag) {
  return launch([&](MPI_Request* r) {
    MPI_CHECK(MPI_Isend(data, checked_count(count), datatype(dtype), dst, tag, the_comm(), r));
  });
}

std::unique_ptr<detail::PendingOp> recv(void* data, int64_t count, DType dtype, int src, int tag) {
  return launch([&](MPI_Request* r) {
    MPI_CHECK(MPI_Irecv(data, checked_count(count), datatype(dtype), src, tag, the_comm(), r));
  });
}

}  // namespace ember::distributed::mpi
