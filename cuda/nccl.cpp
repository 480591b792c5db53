// NCCL for distributed/: one communicator per process group, each with its own
// CUDA stream, so collectives overlap the compute on the current stream. Built
// only in CUDA builds that find NCCL (else cuda/nccl_stubs.cpp).
#include <ember/cuda/nccl.h>

#include <ember/core/error.h>
#include <ember/cuda/runtime.h>

#include <nccl.h>

#include <cstring>

namespace ember::cuda {
namespace {

[[noreturn]] void fail_nccl(ncclResult_t result, const char* call, const char* file, int line) {
  ember::detail::fail(ErrorKind::Runtime, "{} failed: {} (NCCL error {}; {}:{})", call, ncclGetErrorString(result),
               static_cast<int>(result), file, line);
}

// NCCL_CHECK(ncclAllReduce(...)): throws ember::Error naming the call, NCCL's message and file:line.
#define NCCL_CHECK(call)                                                   \
  do {                                                                     \
    const ncclResult_t ember_nccl_result_ = (call);                        \
    if (__builtin_expect(ember_nccl_result_ != ncclSuccess, 0)) {          \
      fail_nccl(ember_nccl_result_, #call, __FILE__, __LINE__);            \
    }                                                                      \
  } while (0)

ncclDataType_t nccl_dtype(DType dtype) {
  switch (dtype) {
    case kFloat32: return ncclFloat32;
    case kFloat64: return ncclFloat64;
    case kFloat16: return ncclFloat16;
    case kBFloat16: return ncclBfloat16;
    case kInt64: return ncclInt64;
    case kInt32: return ncclInt32;
    case kUInt8: case kBool: return ncclUint8;
  }
  ember::detail::fail(ErrorKind::Type, "nccl: unsupported dtype {}", dtype);
}

ncclRedOp_t nccl_red_op(NcclRedOp op) {
  switch (op) {
    case NcclRedOp::Sum: return ncclSum;
    case NcclRedOp::Avg: return ncclAvg;
    case NcclRedOp::Max: return ncclMax;
    case NcclRedOp::Min: return ncclMin;
    case NcclRedOp::Product: return ncclProd;
  }
  return ncclSum;
}

}  // namespace

struct NcclComm {
  ncclComm_t comm = nullptr;
  cudaStream_t stream = nullptr;
  int device = 0;
  bool aborted = false;
  ~NcclComm() {
    if (comm != nullptr && !aborted) ncclCommDestroy(comm);
    if (stream != nullptr) cudaStreamDestroy(stream);
  }
};

struct NcclEvent {
  cudaEvent_t event = nullptr;
  int device = 0;
  ~NcclEvent() {
    if (event != nullptr) cudaEventDestroy(event);
  }
};

bool nccl_available() { return true; }

NcclUniqueId nccl_unique_id() {
  static_assert(sizeof(ncclUniqueId) == sizeof(NcclUniqueId), "NcclUniqueId must hold ncclUniqueId's bytes");
  ncclUniqueId id;
  NCCL_CHECK(ncclGetUniqueId(&id));
  NcclUniqueId bytes;
  std::memcpy(bytes.data(), &id, sizeof(id));
  return bytes;
}

std::shared_ptr<NcclComm> nccl_comm_init(int rank, int world_size, const NcclUniqueId& id, int device) {
  DeviceGuard guard(device);
  auto comm = std::make_shared<NcclComm>();
  comm->device = device;
  CUDA_CHECK(cudaStreamCreateWithFlags(&comm->stream, cudaStreamNonBlocking));
  ncclUniqueId nccl_id;
  std::memcpy(&nccl_id, id.data(), sizeof(nccl_id));
  // Non-blocking communicators would let a dead peer be noticed during init too;
  // the default (blocking) init is NCCL's documented bootstrap and waits for all ranks.
  NCCL_CHECK(ncclCommInitRank(&comm->comm, world_size, nccl_id, rank));
  return comm;
}

std::shared_ptr<NcclEvent> nccl_launch(NcclComm& comm, NcclCall call, const void* input, void* output, int64_t count,
                                       DType dtype, NcclRedOp op, int peer) {
  EMBER_CHECK(!comm.aborted, "nccl: expected a live communicator, got one aborted after a timeout");
  DeviceGuard guard(comm.device);
  // The collective's stream waits for what the current (legacy default) stream
  // queued, so it reads the gradients the backward kernels wrote.
  auto ready = std::make_shared<NcclEvent>();
  ready->device = comm.device;
  CUDA_CHECK(cudaEventCreateWithFlags(&ready->event, cudaEventDisableTiming));
  CUDA_CHECK(cudaEventRecord(ready->event, cudaStreamLegacy));
  CUDA_CHECK(cudaStreamWaitEvent(comm.stream, ready->event, 0));
  const size_t n = static_cast<size_t>(count);
  const ncclDataType_t type = nccl_dtype(dtype);
  switch (call) {
    case NcclCall::AllReduce:
      NCCL_CHECK(ncclAllReduce(input, output, n, type, nccl_red_op(op), comm.comm, comm.stream));
      break;
    case NcclCall::Broadcast:
      NCCL_CHECK(ncclBroadcast(input, output, n, type, peer, comm.comm, comm.stream));
      break;
    case NcclCall::AllGather:
      NCCL_CHECK(ncclAllGather(input, output, n, type, comm.comm, comm.stream));
      break;
    case NcclCall::ReduceScatter:
      NCCL_CHECK(ncclReduceScatter(input, output, n, type, nccl_red_op(op), comm.comm, comm.stream));
      break;
    case NcclCall::Send:
      NCCL_CHECK(ncclSend(input, n, type, peer, comm.comm, comm.stream));
      break;
    case NcclCall::Recv:
      NCCL_CHECK(ncclRecv(output, n, type, peer, comm.comm, comm.stream));
      break;
  }
  auto done = std::make_shared<NcclEvent>();
  done->device = comm.device;
  CUDA_CHECK(cudaEventCreateWithFlags(&done->event, cudaEventDisableTiming));
  CUDA_CHECK(cudaEventRecord(done->event, comm.stream));
  return done;
}

bool nccl_query(NcclComm& comm, NcclEvent& event) {
  DeviceGuard guard(comm.device);
  const cudaError_t status = cudaEventQuery(event.event);
  if (status == cudaSuccess) return true;
  if (status != cudaErrorNotReady) CUDA_CHECK(status);
  ncclResult_t async_error = ncclSuccess;
  NCCL_CHECK(ncclCommGetAsyncError(comm.comm, &async_error));
  if (async_error != ncclSuccess) {
    ember::detail::fail(ErrorKind::Runtime, "nccl: the communicator failed: {} (a peer died or a collective mismatched)",
                 ncclGetErrorString(async_error));
  }
  return false;
}

void nccl_stream_wait(NcclEvent& event) {
  DeviceGuard guard(event.device);
  CUDA_CHECK(cudaStreamWaitEvent(cudaStreamLegacy, event.event, 0));
}

void nccl_abort(NcclComm& comm) {
  if (comm.aborted || comm.comm == nullptr) return;
  comm.aborted = true;
  ncclCommAbort(comm.comm);
}

}  // namespace ember::cuda
