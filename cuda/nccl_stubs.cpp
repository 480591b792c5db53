// Linked instead of cuda/nccl.cpp when ember is built without CUDA or without
// NCCL: every entry point of cuda/nccl.h throws one clear error.
#include <ember/cuda/nccl.h>

#include <ember/core/error.h>

namespace ember::cuda {
namespace {
[[noreturn]] void fail_without_nccl(const char* op) {
  ember::detail::fail(ErrorKind::Runtime,
               "{}: ember was built without NCCL (configure with EMBER_CUDA=ON where nvcc and NCCL exist)", op);
}
}  // namespace

struct NcclComm {};
struct NcclEvent {};

bool nccl_available() { return false; }
NcclUniqueId nccl_unique_id() { fail_without_nccl("nccl_unique_id"); }
std::shared_ptr<NcclComm> nccl_comm_init(int, int, const NcclUniqueId&, int) { fail_without_nccl("nccl_comm_init"); }
std::shared_ptr<NcclEvent> nccl_launch(NcclComm&, NcclCall, const void*, void*, int64_t, DType, NcclRedOp, int) {
  fail_without_nccl("nccl_launch");
}
bool nccl_query(NcclComm&, NcclEvent&) { fail_without_nccl("nccl_query"); }
void nccl_stream_wait(NcclEvent&) { fail_without_nccl("nccl_stream_wait"); }
void nccl_abort(NcclComm&) {}

}  // namespace ember::cuda
