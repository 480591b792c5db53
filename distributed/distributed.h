// ember::distributed, data parallel training over MPI (CPU) and NCCL (CUDA):
// the process group and its collectives, DistributedDataParallel and
// DistributedSampler. Included by <ember/ember.h> when ember was built with MPI
// (EMBER_WITH_DISTRIBUTED). Jobs start with `mpirun -np N program`.
#pragma once

#include <ember/distributed/ddp.h>
#include <ember/distributed/process_group.h>
#include <ember/distributed/sampler.h>
