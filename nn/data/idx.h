// read_idx: a tensor from an IDX file (the format of MNIST and Fashion-MNIST),
// raw or gzip-compressed. The file is untrusted: its header is checked against
// the bytes really there before anything is allocated or copied.
#pragma once

#include <ember/core/tensor.h>

#include <string>

namespace ember::data {

// IDX layout: two zero bytes, a type code, the number of dims, each dim as a
// big-endian uint32, then the values row-major and big-endian. Type codes:
// 0x08 uint8 -> uint8, 0x09 int8 and 0x0B int16 -> int32 (widened: ember has
// no 8- or 16-bit signed ints), 0x0C int32, 0x0D float32, 0x0E float64.
// A gzip file (by its magic bytes, whatever its name) is inflated on the fly.
// Throws ember::Error naming the path and what was wrong (missing file, bad
// magic, unknown type code, dims that overflow, data shorter or longer than
// the dims say, corrupt gzip stream).
Tensor read_idx(const std::string& path);

}  // namespace ember::data
