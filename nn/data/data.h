// ember::data, what feeds the models: datasets, the DataLoader and the IDX
// (MNIST / Fashion-MNIST) reader. Included by <ember/ember.h>. Usage:
//
//   using namespace ember;
//   auto train = std::make_shared<data::FashionMNIST>(data::Split::Train);  // Debian's files by default
//   auto parts = data::random_split(train, {55000, 5000}, /*seed=*/0);     // fit and validation Subsets
//   data::DataLoader loader(parts[0], {.batch_size = 128, .shuffle = true, .num_workers = 2, .seed = 0});
//   for (int epoch = 0; epoch < 10; ++epoch) {
//     for (const data::Example& batch : loader) {  // each range-for is a new epoch, shuffled anew
//       Tensor x = batch.data.flatten(1);          // float32 [128, 784] in [0, 1]
//       Tensor y = batch.target;                   // int64 [128]
//       ...
//     }
//   }
//
// Your own data: subclass data::Dataset (size() and get(i); override
// get_batch(indices) when one gather beats stacking samples), or wrap tensors
// in data::TensorDataset(inputs, targets).
#pragma once

#include <ember/nn/data/dataloader.h>
#include <ember/nn/data/dataset.h>
#include <ember/nn/data/idx.h>
#include <ember/nn/data/mnist.h>
