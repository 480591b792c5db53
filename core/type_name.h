// type_name: a C++ type's readable name ("Linear" for ember::nn::Linear), used
// where ember names user types: custom autograd functions' nodes and modules.
#pragma once

#include <typeinfo>

namespace ember {

// Demangled, without namespaces; the storage lives as long as the program.
const char* type_name(const std::type_info& type);

}  // namespace ember
