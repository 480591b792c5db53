// The MPI transport of ProcessGroup (distributed/-internal): plain C++ over
// distributed/mpi.cpp, the only file that includes mpi.h. Each launch returns
// the pending MPI request; ProcessGroup wraps it in a Work.
#pragma once

#include <ember/core/dtype.h>
#include <ember/distributed/process_group.h>

#include <cstdint>
#include <memory>

namespace ember::distributed::mpi {

// MPI_Init_thread unless the program did it already; errors return to us
// (MPI_ERRORS_RETURN) instead of aborting the job. Idempotent.
void init();
// MPI_Finalize, when init() started MPI. Idempotent.
void finalize();
bool is_initialized();
int rank();
int world_size();
// The rank among the processes on this node: OMPI_COMM_WORLD_LOCAL_RANK (or
// SLURM_LOCALID, MPI_LOCALRANKID), else from MPI_Comm_split_type(SHARED).
int local_rank();

// Whether MPI carries `dtype` (float16/bfloat16 it does not).
bool supports(DType dtype);

// The launches: count elements of dtype each; ops run on a duplicate of
// MPI_COMM_WORLD owned by this file. ReduceOp::Avg is not taken here (ProcessGroup
// sums, then divides).
std::unique_ptr<detail::PendingOp> all_reduce(void* data, int64_t count, DType dtype, ReduceOp op);
std::unique_ptr<detail::PendingOp> broadcast(void* data, int64_t count, DType dtype, int root);
std::unique_ptr<detail::PendingOp> all_gather(const void* input, void* output, int64_t count, DType dtype);
std::unique_ptr<detail::PendingOp> reduce_scatter(const void* input, void* output, int64_t count, DType dtype,
                                                  ReduceOp op);
std::unique_ptr<detail::PendingOp> barrier();
std::unique_ptr<detail::PendingOp> send(const void* data, int64_t count, DType dtype, int dst, int tag);
std::unique_ptr<detail::PendingOp> recv(void* data, int64_t count, DType dtype, int src, int tag);

}  // namespace ember::distributed::mpi
