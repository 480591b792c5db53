// ember::data, what feeds the models: datasets, the DataLoader and the IDX
// (MNIST / Fashion-MNIST) reader. Included by <ember/ember.h>.
#pragma once

#include <ember/nn/data/dataloader.h>
#include <ember/nn/data/dataset.h>
#include <ember/nn/data/idx.h>
