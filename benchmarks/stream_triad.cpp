// STREAM triad (a[i] = b[i] + s * c[i]) with OpenMP: this machine's memory
// bandwidth, the ceiling for elementwise ops on large tensors. Prints GB/s.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  omp_set_num_threads(threads);
  const long n = 16L * 1024 * 1024;
  std::vector<float> a(n), b(n, 1.0f), c(n, 2.0f);
  double best = 1e30;
  for (int rep = 0; rep < 10; ++rep) {
    auto start = std::chrono::steady_clock::now();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; ++i) a[i] = b[i] + 3.0f * c[i];
    std::chrono::duration<double> t = std::chrono::steady_clock::now() - start;
    best = std::min(best, t.count());
  }
  std::printf("%.2f\n", 3.0 * n * sizeof(float) / best / 1e9);
  return a[n / 2] == 7.0f ? 0 : 1;
}
