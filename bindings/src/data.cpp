// ember._C.data: the C++ image datasets (FashionMNIST, MNIST) and DataLoader
// over them, batches as (data, target) tuples; and ember::save / ember::load
// (safetensors state dicts). Python datasets are ember/utils/data's.
#include "bindings.h"

namespace ember::python {
namespace {

// One epoch of a C++ DataLoader as a Python iterator.
struct Batches {
  std::shared_ptr<data::DataLoader> loader;
  data::DataLoader::Iterator it = {}, end = {};
  bool started = false;
};

}  // namespace

void bind_data(py::module_& parent) {
  py::module_ m = parent.def_submodule("data", "the C++ datasets and loader (use ember.utils.data)");
  using NoGil = py::call_guard<py::gil_scoped_release>;
  py::class_<data::Dataset, std::shared_ptr<data::Dataset>>(m, "Dataset")
      .def("__len__", &data::Dataset::size)
      .def("get", [](const data::Dataset& self, int64_t index) {
        data::Example example = self.get(index);
        return std::pair(example.data, example.target);
      }, NoGil())
      .def("get_batch", [](const data::Dataset& self, const std::vector<int64_t>& indices) {
        data::Example example = self.get_batch(indices);
        return std::pair(example.data, example.target);
      }, NoGil());
  py::class_<data::IdxImageDataset, data::Dataset, std::shared_ptr<data::IdxImageDataset>>(m, "IdxImageDataset")
      .def_property_readonly("data", &data::IdxImageDataset::data)
      .def_property_readonly("targets", &data::IdxImageDataset::targets);
  py::class_<data::FashionMNIST, data::IdxImageDataset, std::shared_ptr<data::FashionMNIST>>(m, "FashionMNIST")
      .def(py::init([](const std::string& root, bool train) {
        return std::make_shared<data::FashionMNIST>(train ? data::Split::Train : data::Split::Test, root);
      }), NoGil())
      .def_readonly_static("default_root", &data::FashionMNIST::kDefaultRoot);
  py::class_<data::MNIST, data::IdxImageDataset, std::shared_ptr<data::MNIST>>(m, "MNIST")
      .def(py::init([](const std::string& root, bool train) {
        return std::make_shared<data::MNIST>(train ? data::Split::Train : data::Split::Test, root);
      }), NoGil())
      .def_readonly_static("default_root", &data::MNIST::kDefaultRoot);

  py::class_<Batches>(m, "_Batches")
      .def("__iter__", [](Batches& self) -> Batches& { return self; }, py::return_value_policy::reference_internal)
      .def("__next__", [](Batches& self) {
        {
          py::gil_scoped_release no_gil;
          if (self.started) ++self.it;
          self.started = true;
        }
        if (self.it == self.end) throw py::stop_iteration();
        return std::pair(self.it->data, self.it->target);
      });
  py::class_<data::DataLoader, std::shared_ptr<data::DataLoader>>(m, "DataLoader")
      .def(py::init([](std::shared_ptr<data::Dataset> dataset, int64_t batch_size, bool shuffle, bool drop_last,
                       int num_workers, uint64_t seed) {
        return std::make_shared<data::DataLoader>(dataset, data::DataLoaderOptions{
            .batch_size = batch_size, .shuffle = shuffle, .drop_last = drop_last, .num_workers = num_workers,
            .seed = seed});
      }))
      .def("__len__", &data::DataLoader::size)
      .def("set_epoch", &data::DataLoader::set_epoch)
      .def("__iter__", [](std::shared_ptr<data::DataLoader> self) {
        Batches batches{.loader = self};
        {
          py::gil_scoped_release no_gil;
          batches.it = self->begin();
          batches.end = self->end();
        }
        return batches;
      });

  m.def("save", [](const nn::StateDict& state, const std::string& path,
                   const std::map<std::string, std::string>& metadata) { save(state, path, metadata); },
        py::arg("state"), py::arg("path"), py::arg("metadata") = std::map<std::string, std::string>(), NoGil());
  m.def("load", [](const std::string& path) { return load(path); }, py::arg("path"), NoGil());
}

}  // namespace ember::python
