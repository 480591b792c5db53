// IdxImageDataset: finds and checks the two IDX files of a split, keeps the
// images as uint8 and converts only the rows a batch asks for to float.
#include <ember/nn/data/idx.h>
#include <ember/nn/data/mnist.h>
#include <ember/ops/ops.h>

#include <cstring>
#include <filesystem>
#include <utility>

namespace ember::data {
namespace {

// root/stem.gz if it exists, else root/stem if that does, else an error naming both.
std::string find_file(const std::string& name, const std::string& root, const std::string& stem) {
  const std::filesystem::path base = std::filesystem::path(root) / stem;
  std::error_code ec;
  for (const std::string& candidate : {base.string() + ".gz", base.string()}) {
    if (std::filesystem::exists(candidate, ec)) return candidate;
  }
  detail::fail(ErrorKind::Runtime,
               "{}: expected '{}.gz' or '{}', got neither (for Fashion-MNIST, install Debian's dataset-fashion-mnist "
               "or pass the folder that holds the files as root)",
               name, base.string(), base.string());
}

}  // namespace

IdxImageDataset::IdxImageDataset(std::string name, Split split, const std::string& root, int64_t num_classes)
    : name_(std::move(name)), num_classes_(num_classes) {
  const std::string prefix = split == Split::Train ? "train" : "t10k";
  const std::string images_path = find_file(name_, root, prefix + "-images-idx3-ubyte");
  const std::string labels_path = find_file(name_, root, prefix + "-labels-idx1-ubyte");
  images_ = read_idx(images_path);
  const Tensor labels = read_idx(labels_path);
  EMBER_CHECK(images_.dtype() == kUInt8 && images_.dim() == 3,
              "{}: expected uint8 images [N, H, W] in '{}', got {} of shape {}", name_, images_path, images_.dtype(),
              images_.shape());
  EMBER_CHECK(labels.dtype() == kUInt8 && labels.dim() == 1, "{}: expected uint8 labels [N] in '{}', got {} of shape {}",
              name_, labels_path, labels.dtype(), labels.shape());
  EMBER_CHECK(labels.size(0) == images_.size(0), "{}: expected as many labels as images, got {} in '{}' and {} in '{}'",
              name_, labels.size(0), labels_path, images_.size(0), images_path);
  const uint8_t* l = labels.data_ptr<uint8_t>();
  for (int64_t i = 0; i < labels.size(0); ++i) {
    EMBER_CHECK(l[i] < num_classes_, "{}: expected labels in [0, {}) in '{}', got {} at index {}", name_, num_classes_,
                labels_path, l[i], i);
  }
  labels_ = labels.to(kInt64);
}

Example IdxImageDataset::get(int64_t index) const {
  Example batch = get_batch({index});
  return {batch.data.squeeze(0), batch.target.squeeze(0)};
}

Example IdxImageDataset::get_batch(const std::vector<int64_t>& indices) const {
  const int64_t n = size();
  for (int64_t index : indices) {
    EMBER_CHECK_INDEX(index >= 0 && index < n, "{}::get_batch: expected an index in [0, {}), got {}", name_, n, index);
  }
  // Ops, not a loop here: the same kernels run in every build type (a Debug
  // build keeps ops/ optimised). Division, not a multiply by 1/255: bit-identical
  // to torchvision's ToTensor().
  const Tensor index = from_blob(const_cast<int64_t*>(indices.data()), {static_cast<int64_t>(indices.size())}, kInt64);
  const Tensor data = images_.index_select(0, index).to(kFloat32).div(255.0).unsqueeze(1);
  const Tensor target = labels_.index_select(0, index);
  return {data, target};
}

}  // namespace ember::data
