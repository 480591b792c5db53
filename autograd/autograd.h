// The public autograd API: grad modes, the engine (backward, grad), nodes
// (grad_fn), gradcheck. Ops record themselves through autograd/record.h.
#pragma once

#include <ember/autograd/engine.h>
#include <ember/autograd/grad_mode.h>
#include <ember/autograd/gradcheck.h>
#include <ember/autograd/node.h>
