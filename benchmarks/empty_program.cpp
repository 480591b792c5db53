// An empty program linked against ember or libtorch: compare.py times its
// start-up (dynamic loading and static initialisers of each library).
#if defined(BENCH_EMBER)
#include <ember/core/parallel.h>
#define TOUCH_LIBRARY() (void)ember::get_num_threads
#elif defined(BENCH_LIBTORCH)
#include <c10/core/Device.h>
#define TOUCH_LIBRARY() (void)sizeof(c10::Device)
#endif

int main() {
  TOUCH_LIBRARY();
  return 0;
}
