// What the binding files share: the pybind11 includes, how Python values
// become ember arguments (dtype, device, shapes, scalars, tensor-or-number),
// and the registration function of each file. Bindings stay thin: every
// function here converts arguments and calls the C++ library, nothing more.
#pragma once

#include <ember/ember.h>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "tensor_caster.h"

#include <optional>
#include <variant>
#include <vector>

namespace ember::python {

namespace py = pybind11;

// A Python number as a Scalar (bool, int or float, keeping PyTorch's weak typing).
Scalar to_scalar(py::handle value);
bool is_number(py::handle value);
// The name of value's type, as torch's TypeErrors name it ("float", "Tensor").
std::string type_name(py::handle value);
// An ember.dtype argument (None: fallback); anything else is a TypeError naming the function and the parameter.
DType to_dtype(const py::object& value, const char* function, DType fallback = kFloat32);
// A device argument: ember.device or a string ("cpu", "cuda:1").
Device to_device(const py::object& value, const char* function);
// A shape from PyTorch's two spellings: f(2, 3) and f((2, 3)) / f([2, 3]).
std::vector<int64_t> to_shape(const py::args& args);
// A dims argument: an int, a sequence of ints, or None (every dim).
std::vector<int64_t> to_dims(const py::object& dims);
// An int-or-tuple size (stride=2, stride=(2, 1)); None: empty (the pools' "the kernel size").
SpatialSize to_spatial(const py::object& value);
// A convolution's padding: an int, a tuple, or the strings 'same' / 'valid'.
ConvPadding to_conv_padding(const py::object& value);
// torch.Size: the shape as ember.Size (a tuple subclass defined in ember/__init__.py).
py::object to_size(IntArrayRef shape);

// Each binding file registers its part of ember._C.
void bind_types(py::module_& m);      // types.cpp: dtype, device, errors
void bind_tensor(py::module_& m);     // tensor.cpp: the Tensor class
void bind_tensor_ops(py::class_<Tensor>& tensor);  // tensor_ops.cpp: the rest of torch.Tensor's methods
void bind_indexing(py::class_<Tensor>& tensor);  // indexing.cpp: t[...] and t[...] = v
void bind_numpy(py::module_& m, py::class_<Tensor>& tensor);  // numpy.cpp: from_numpy, .numpy(), tensor()
void bind_dlpack(py::module_& m, py::class_<Tensor>& tensor);  // dlpack.cpp: __dlpack__, from_dlpack
void bind_functions(py::module_& m);  // functions.cpp: creation and math functions
void bind_autograd(py::module_& m);   // autograd.cpp: grad modes, backward, grad, hooks
void bind_nn(py::module_& m);         // nn.cpp: the C++ layers, as _C.nn
void bind_functional(py::module_& nn);  // nn_functional.cpp: nn/functional.h, in _C.nn
void bind_init(py::module_& nn);      // nn_init.cpp: nn/init.h, as _C.nn.init
void bind_optim(py::module_& m);      // optim.cpp: optimizers and LR schedulers, as _C.optim
void bind_data(py::module_& m);
void bind_cuda(py::module_& m);       // cuda.cpp: the CUDA runtime queries (_C.cuda)       // data.cpp: the C++ datasets and DataLoader (_C.data), save and load

}  // namespace ember::python
