// The umbrella header: #include <ember/ember.h> gives the whole public API.
#pragma once

#include <ember/autograd/autograd.h>
#include <ember/core/allocator.h>
#include <ember/core/error.h>
#include <ember/core/generator.h>
#include <ember/core/parallel.h>
#include <ember/core/print.h>
#include <ember/core/promotion.h>
#include <ember/core/tensor.h>
#include <ember/cuda/cuda.h>
#include <ember/nn/data/data.h>
#include <ember/nn/nn.h>
#include <ember/nn/serialize.h>
#include <ember/ops/ops.h>
#include <ember/optim/optim.h>
#ifdef EMBER_WITH_DISTRIBUTED  // defined when ember was built with MPI (EMBER_DISTRIBUTED)
#include <ember/distributed/distributed.h>
#endif
