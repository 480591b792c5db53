// The nn room: Module and the layers, nn::functional (F), nn::init, and the
// state dict type. `#include <ember/ember.h>` brings it all.
#pragma once

#include <ember/nn/activation.h>
#include <ember/nn/attention.h>
#include <ember/nn/bilinear.h>
#include <ember/nn/container.h>
#include <ember/nn/conv.h>
#include <ember/nn/dropout.h>
#include <ember/nn/embedding.h>
#include <ember/nn/flatten.h>
#include <ember/nn/functional.h>
#include <ember/nn/init.h>
#include <ember/nn/linear.h>
#include <ember/nn/module.h>
#include <ember/nn/normalization.h>
#include <ember/nn/pooling.h>
#include <ember/nn/rnn.h>
#include <ember/nn/state_dict.h>
