// The public autograd API: grad modes, the engine (backward, grad), nodes
// (grad_fn), custom functions, graph printing, anomaly mode, gradcheck. Ops
// record themselves through autograd/record.h.
#pragma once

#include <ember/autograd/anomaly.h>
#include <ember/autograd/debug.h>
#include <ember/autograd/engine.h>
#include <ember/autograd/function.h>
#include <ember/autograd/grad_mode.h>
#include <ember/autograd/graph.h>
#include <ember/autograd/gradcheck.h>
#include <ember/autograd/node.h>
