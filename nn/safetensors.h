// The safetensors format without the files, behind ember::save and ember::load
// (nn/serialize.h is the public API): the header save writes, and the checked
// reading of an untrusted one. See Note [safetensors layout] in safetensors.cpp.
#pragma once

#include <ember/nn/state_dict.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ember::safetensors {

// A header larger than this is not a checkpoint (the reference implementation caps at 100 MB).
inline constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

// The header text for state (names unique, in state's order, tensors packed
// densely in that order), padded with spaces to a multiple of 8 bytes.
// Errors name `path`, the file it is for.
std::string encode_header(const nn::StateDict& state, const std::map<std::string, std::string>& metadata,
                          const std::string& path);

// One tensor as a header describes it; begin/end are byte offsets into the data section.
struct Entry {
  std::string name;
  DType dtype = kFloat32;
  Shape shape;
  uint64_t begin = 0, end = 0;
};

// The tensors of a header in its order, every field validated, every range
// inside a data section of data_size bytes and the ranges tiling it exactly.
// Throws ember::Error naming path (the file) and the tensor.
std::vector<Entry> decode_header(const std::string& text, uint64_t data_size, const std::string& path);

}  // namespace ember::safetensors
