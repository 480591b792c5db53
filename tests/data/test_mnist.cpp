// Tests nn/data/mnist.cpp: the real Fashion-MNIST from Debian's
// dataset-fashion-mnist (spot checks whose expected values were read with
// Python's gzip + numpy from the same files), and IdxImageDataset on small
// MNIST-layout folders this test writes, with its error messages.
#include "harness.h"
#include "idx_files.h"

#include <array>
#include <filesystem>

using namespace ember;
using namespace ember::testing;

namespace {

// Loaded once: inflating 26 MB of images per test case would dominate the run.
std::shared_ptr<const data::FashionMNIST> fashion(data::Split split) {
  static auto train = std::make_shared<const data::FashionMNIST>(data::Split::Train);
  static auto test = std::make_shared<const data::FashionMNIST>(data::Split::Test);
  return split == data::Split::Train ? train : test;
}

std::array<int64_t, 10> label_counts(const Tensor& labels) {
  std::array<int64_t, 10> counts{};
  for (int64_t l : labels.to_vector<int64_t>()) counts.at(static_cast<size_t>(l))++;
  return counts;
}

// An MNIST-layout split in dir: n images of h x w with pixel (i, r, c) = (i + r * w + c) % 256, label i % 10.
void write_split(const TempDir& dir, const std::string& prefix, uint32_t n, uint32_t h, uint32_t w, bool gzip,
                 int label_code = 0x08) {
  Bytes pixels;
  for (uint32_t i = 0; i < n; ++i) {
    for (uint32_t p = 0; p < h * w; ++p) pixels.push_back(static_cast<unsigned char>((i + p) % 256));
  }
  Bytes labels;
  for (uint32_t i = 0; i < n; ++i) labels.push_back(static_cast<unsigned char>(i % 10));
  const std::string images = dir.file(prefix + "-images-idx3-ubyte") + (gzip ? ".gz" : "");
  const std::string label_file = dir.file(prefix + "-labels-idx1-ubyte") + (gzip ? ".gz" : "");
  const Bytes image_bytes = concat(idx_header(0x08, {n, h, w}), pixels);
  Bytes label_bytes = concat(idx_header(label_code, {n}), labels);
  if (label_code == 0x0B) label_bytes = concat(idx_header(label_code, {n}), concat(labels, labels));
  if (gzip) {
    write_gzip(images, image_bytes);
    write_gzip(label_file, label_bytes);
  } else {
    write_raw(images, image_bytes);
    write_raw(label_file, label_bytes);
  }
}

}  // namespace

TEST_CASE("FashionMNIST train: 60000 uint8 images of 28x28 and 6000 labels per class", "[mnist]") {
  auto train = fashion(data::Split::Train);
  REQUIRE(train->size() == 60000);
  CHECK(train->data().dtype() == kUInt8);
  CHECK(train->data().shape() == Shape{60000, 28, 28});
  CHECK(train->targets().dtype() == kInt64);
  CHECK(train->targets().shape() == Shape{60000});
  std::array<int64_t, 10> expected;
  expected.fill(6000);
  CHECK(label_counts(train->targets()) == expected);
  // From Python: numpy.frombuffer(gzip.open(path).read(), uint8, offset=8)[:10], [-1] and image sums.
  CHECK(train->targets().slice(0, 0, 10).to_vector<int64_t>() == std::vector<int64_t>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5});
  CHECK(train->targets()[59999].item<int64_t>() == 5);
  CHECK(train->data()[0].sum().item<int64_t>() == 76247);
  CHECK(train->data()[59999].sum().item<int64_t>() == 16684);
  CHECK(train->data().sum().item<int64_t>() == 3431114169);
}

TEST_CASE("FashionMNIST test: 10000 images and 1000 labels per class", "[mnist]") {
  auto test = fashion(data::Split::Test);
  REQUIRE(test->size() == 10000);
  CHECK(test->data().shape() == Shape{10000, 28, 28});
  std::array<int64_t, 10> expected;
  expected.fill(1000);
  CHECK(label_counts(test->targets()) == expected);
  CHECK(test->targets().slice(0, 0, 10).to_vector<int64_t>() == std::vector<int64_t>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7});
  CHECK(test->data()[0].sum().item<int64_t>() == 33456);
  CHECK(test->data().sum().item<int64_t>() == 573469082);
}

TEST_CASE("FashionMNIST batches are float32 [B, 1, 28, 28] equal to pixel / 255 and int64 labels", "[mnist]") {
  auto train = fashion(data::Split::Train);
  data::Example one = train->get(0);
  CHECK(one.data.shape() == Shape{1, 28, 28});
  CHECK(one.data.dtype() == kFloat32);
  CHECK(one.target.dim() == 0);
  CHECK(one.target.item<int64_t>() == 9);
  // Row 14, columns 10..17 of image 0, from Python: [0, 0, 237, 226, 217, 223, 222, 219].
  const std::vector<float> row = one.data[0][14].slice(0, 10, 18).to_vector<float>();
  const std::vector<float> expected = {0.0f, 0.0f, 237 / 255.0f, 226 / 255.0f, 217 / 255.0f, 223 / 255.0f,
                                       222 / 255.0f, 219 / 255.0f};
  CHECK(row == expected);

  const std::vector<int64_t> indices = {59999, 0, 12345, 0};
  data::Example batch = train->get_batch(indices);
  REQUIRE(batch.data.shape() == Shape{4, 1, 28, 28});
  REQUIRE(batch.target.shape() == Shape{4});
  CHECK(batch.target.dtype() == kInt64);
  for (size_t i = 0; i < indices.size(); ++i) {
    const int64_t at = indices[i];
    INFO("sample " << at);
    CHECK(batch.target[static_cast<int64_t>(i)].item<int64_t>() == train->targets()[at].item<int64_t>());
    // Bit for bit what torchvision's ToTensor() gives: uint8 -> float32, divided by 255.
    CHECK(batch.data[static_cast<int64_t>(i)][0].to_vector<float>() ==
          (train->data()[at].to(kFloat32) / 255.0).to_vector<float>());
  }
  CHECK(batch.data.min().item<float>() >= 0.0f);
  CHECK(batch.data.max().item<float>() <= 1.0f);
  REQUIRE_ERROR(train->get_batch({0, 60000}), "FashionMNIST::get_batch: expected an index in [0, 60000), got 60000");
  REQUIRE_ERROR(train->get(-1), "FashionMNIST::get_batch: expected an index in [0, 60000), got -1");
}

TEST_CASE("A DataLoader over FashionMNIST covers the set with the same batches at any thread count", "[mnist]") {
  auto train = fashion(data::Split::Train);
  data::DataLoader inline_loader(train, {.batch_size = 128, .shuffle = true, .prefetch = 0, .seed = 3});
  data::DataLoader workers(train, {.batch_size = 128, .shuffle = true, .num_workers = 2, .seed = 3});
  REQUIRE(inline_loader.size() == 469);
  std::array<int64_t, 10> counts{};
  auto a = inline_loader.begin();
  auto b = workers.begin();
  int64_t batches = 0;
  for (; a != inline_loader.end(); ++a, ++b, ++batches) {
    REQUIRE(b != workers.end());
    CHECK(a->target.to_vector<int64_t>() == b->target.to_vector<int64_t>());
    if (batches % 50 == 0) CHECK(a->data.to_vector<float>() == b->data.to_vector<float>());
    for (int64_t l : a->target.to_vector<int64_t>()) counts.at(static_cast<size_t>(l))++;
  }
  CHECK(batches == 469);
  std::array<int64_t, 10> expected;
  expected.fill(6000);
  CHECK(counts == expected);  // each sample once: the class counts come out exact
}

TEST_CASE("MNIST-layout folders: gzip first, raw files too, checked against each other", "[mnist]") {
  TempDir raw;
  write_split(raw, "train", 30, 5, 4, /*gzip=*/false);
  data::MNIST mnist(data::Split::Train, raw.path());
  CHECK(mnist.size() == 30);
  CHECK(mnist.data().shape() == Shape{30, 5, 4});
  data::Example b = mnist.get_batch({7, 29});
  CHECK(b.data.shape() == Shape{2, 1, 5, 4});
  CHECK(b.target.to_vector<int64_t>() == std::vector<int64_t>{7, 9});
  CHECK(b.data[1][0][0][0].item<float>() == 29 / 255.0f);
  CHECK(b.data[1][0][4][3].item<float>() == (29 + 19) / 255.0f);

  TempDir gz;
  write_split(gz, "t10k", 12, 3, 3, /*gzip=*/true);
  data::IdxImageDataset kmnist("KMNIST", data::Split::Test, gz.path());
  CHECK(kmnist.size() == 12);
  CHECK(kmnist.get(11).target.item<int64_t>() == 1);
  REQUIRE_ERROR(kmnist.get(12), "KMNIST::get_batch: expected an index in [0, 12), got 12");

  REQUIRE_ERROR(data::MNIST(data::Split::Test, raw.path()),
                "MNIST: expected '" + raw.file("t10k-images-idx3-ubyte") + ".gz' or '" +
                    raw.file("t10k-images-idx3-ubyte") + "', got neither (for Fashion-MNIST, install Debian's "
                    "dataset-fashion-mnist or pass the folder that holds the files as root)");
  REQUIRE_ERROR(data::FashionMNIST(data::Split::Train, raw.file("nowhere")),
                "FashionMNIST: expected '" + raw.file("nowhere/train-images-idx3-ubyte") + ".gz'");
}

TEST_CASE("IdxImageDataset rejects files that do not make an image classification set", "[mnist]") {
  TempDir dir;
  const std::string labels = dir.file("train-labels-idx1-ubyte");
  const std::string images = dir.file("train-images-idx3-ubyte");

  write_split(dir, "train", 20, 4, 4, false);
  write_raw(labels, concat(idx_header(0x08, {19}), Bytes(19, 1)));
  REQUIRE_ERROR(data::MNIST(data::Split::Train, dir.path()),
                "MNIST: expected as many labels as images, got 19 in '" + labels + "' and 20 in '" + images + "'");

  write_split(dir, "train", 20, 4, 4, false);
  Bytes bad_labels = concat(idx_header(0x08, {20}), Bytes(20, 3));
  bad_labels.back() = 10;
  write_raw(labels, bad_labels);
  REQUIRE_ERROR(data::MNIST(data::Split::Train, dir.path()),
                "MNIST: expected labels in [0, 10) in '" + labels + "', got 10 at index 19");

  write_split(dir, "train", 20, 4, 4, false, /*label_code=*/0x0B);
  REQUIRE_ERROR(data::MNIST(data::Split::Train, dir.path()),
                "MNIST: expected uint8 labels [N] in '" + labels + "', got int32 of shape [20]");

  write_split(dir, "train", 20, 4, 4, false);
  write_raw(images, concat(idx_header(0x08, {20, 16}), Bytes(320, 0)));
  REQUIRE_ERROR(data::MNIST(data::Split::Train, dir.path()),
                "MNIST: expected uint8 images [N, H, W] in '" + images + "', got uint8 of shape [20, 16]");

  // A damaged file stops the constructor with read_idx's message.
  write_split(dir, "train", 20, 4, 4, false);
  write_raw(images, concat(idx_header(0x08, {20, 4, 4}), Bytes(100, 0)));
  REQUIRE_ERROR(data::MNIST(data::Split::Train, dir.path()), "got 100 bytes (truncated)");
}
