// Checkpoints: ember::save / ember::load write and read a StateDict as a
// safetensors file (names as PyTorch's state_dict keys), so files move both
// ways between ember and PyTorch. Nothing in a file is ever executed.
#pragma once

#include <ember/nn/state_dict.h>

#include <map>
#include <string>

namespace ember {

// Writes state to path atomically: a temp file in the same directory, fsync,
// rename over path, fsync of the directory. On failure the temp file is
// removed and an existing file at path is left as it was. Tensors may be
// non-contiguous or on CUDA (written as contiguous CPU bytes); names must be
// unique. metadata becomes the header's "__metadata__" (omitted when empty).
void save(const nn::StateDict& state, const std::string& path, const std::map<std::string, std::string>& metadata = {});

// Reads a safetensors file into CPU tensors that own their memory, in the
// header's order. The file is untrusted: header size, JSON, dtypes, shapes,
// byte ranges (inside the file, densely packed as the format requires) and
// BOOL bytes are validated first, and any violation throws ember::Error
// naming the file and tensor.
nn::StateDict load(const std::string& path);

}  // namespace ember
