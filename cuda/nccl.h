// NCCL, as plain C++ declarations for distributed/ (no CUDA or NCCL headers):
// communicators, collectives launched on a dedicated stream per communicator,
// completion events and abort. Built from cuda/nccl.cpp in CUDA builds that find
// NCCL; otherwise cuda/nccl_stubs.cpp throws "built without NCCL".
#pragma once

#include <ember/core/dtype.h>

#include <array>
#include <cstdint>
#include <memory>

namespace ember::cuda {

bool nccl_available();
using NcclUniqueId = std::array<char, 128>;  // ncclUniqueId's bytes (NCCL_UNIQUE_ID_BYTES)
struct NcclComm;   // communicator + its stream (cuda/nccl.cpp)
struct NcclEvent;  // a launched collective's completion event

enum class NcclCall { AllReduce, Broadcast, AllGather, ReduceScatter, Send, Recv };
enum class NcclRedOp { Sum, Avg, Max, Min, Product };

// Rank 0 makes the id; the caller broadcasts it (over MPI) to the others.
NcclUniqueId nccl_unique_id();
std::shared_ptr<NcclComm> nccl_comm_init(int rank, int world_size, const NcclUniqueId& id, int device);
// Launches `call` on the communicator's stream after what the current stream has
// queued (count: elements per rank; peer: root, destination or source).
std::shared_ptr<NcclEvent> nccl_launch(NcclComm& comm, NcclCall call, const void* input, void* output, int64_t count,
                                       DType dtype, NcclRedOp op, int peer);
// Whether the event has completed; throws ember::Error on an asynchronous NCCL
// error of the communicator (a peer that failed).
bool nccl_query(NcclComm& comm, NcclEvent& event);
// After completion: the current stream waits for the event (no host wait).
void nccl_stream_wait(NcclEvent& event);
// ncclCommAbort: what the watchdog does when a collective outlives the timeout.
void nccl_abort(NcclComm& comm);

}  // namespace ember::cuda
