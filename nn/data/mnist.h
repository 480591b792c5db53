// MNIST-layout image datasets: IdxImageDataset reads a pair of IDX files
// (uint8 images [N, H, W], uint8 labels [N]); FashionMNIST and MNIST only name
// their default folder. Images stay uint8 in memory; batches convert to float.
#pragma once

#include <ember/nn/data/dataset.h>

#include <string>

namespace ember::data {

enum class Split { Train, Test };

// Reads root/{train,t10k}-images-idx3-ubyte and root/{train,t10k}-labels-idx1-ubyte,
// each gzip (".gz", tried first) or raw, as torchvision's MNIST does. get and
// get_batch return float32 images in [0, 1] (x / 255, as ToTensor()) shaped
// [1, H, W] and [B, 1, H, W], and int64 labels (0-d and [B]).
class IdxImageDataset : public Dataset {
 public:
  // `name` prefixes errors ("FashionMNIST: ..."); labels must lie in [0, num_classes).
  IdxImageDataset(std::string name, Split split, const std::string& root, int64_t num_classes = 10);
  int64_t size() const override { return images_.size(0); }
  Example get(int64_t index) const override;
  // One pass over the batch: each image's uint8 row is read from the whole set
  // and written as float straight into the batch (no per-sample tensors).
  Example get_batch(const std::vector<int64_t>& indices) const override;
  const Tensor& data() const { return images_; }       // uint8 [N, H, W], as torchvision's .data
  const Tensor& targets() const { return labels_; }    // int64 [N], as torchvision's .targets
  int64_t num_classes() const { return num_classes_; }

 private:
  std::string name_;
  Tensor images_, labels_;
  int64_t num_classes_;
};

// Zalando's Fashion-MNIST: 60000 train and 10000 test images of 28x28, 10 classes.
// The default root is where Debian's dataset-fashion-mnist package installs it.
class FashionMNIST : public IdxImageDataset {
 public:
  static constexpr const char* kDefaultRoot = "/usr/share/datasets/fashion-mnist";
  explicit FashionMNIST(Split split, const std::string& root = kDefaultRoot)
      : IdxImageDataset("FashionMNIST", split, root) {}
};

// LeCun's MNIST digits, same files and layout as Fashion-MNIST.
class MNIST : public IdxImageDataset {
 public:
  static constexpr const char* kDefaultRoot = "/usr/share/datasets/mnist";
  explicit MNIST(Split split, const std::string& root = kDefaultRoot) : IdxImageDataset("MNIST", split, root) {}
};

}  // namespace ember::data
