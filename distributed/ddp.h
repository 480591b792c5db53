// DistributedDataParallel: one model replica per rank, gradients averaged over
// the ranks while backward still runs (PyTorch's DDP). Gradient buckets and
// their reductions live in distributed/ddp.cpp; Note [DDP buckets] there.
//
//   distributed::init_process_group(distributed::Backend::MPI);
//   auto model = std::make_shared<Net>();
//   distributed::DistributedDataParallel ddp(model);   // rank 0's weights everywhere
//   optim::SGD opt(ddp.parameters(), {.lr = 0.1});
//   Tensor loss = F::cross_entropy(ddp.forward(x), y);  // x: this rank's share of the batch
//   opt.zero_grad(); loss.backward(); ddp.finalize(); opt.step();
#pragma once

#include <ember/distributed/process_group.h>
#include <ember/nn/module.h>

#include <memory>
#include <string>
#include <vector>

namespace ember::distributed {

struct DistributedDataParallelOptions {
  double bucket_cap_mb = 25;       // gradient bytes per bucket (MiB), PyTorch's default
  double first_bucket_cap_mb = 1;  // the first bucket (the last layers' gradients) is small, so it goes early
  bool broadcast_buffers = true;   // rank 0's buffers (BatchNorm statistics) before every forward
  // A parameter that gets no gradient in an iteration is an error unless this is set;
  // then it contributes zeros (and finalize() must be called before step()).
  bool find_unused_parameters = false;
  ProcessGroup* process_group = nullptr;  // nullptr: the default group
  bool record_events = false;             // keep events() (tests, debugging)
};

class DistributedDataParallel : public nn::Module {
 public:
  // Checks that every rank's module has the same parameter and buffer names,
  // shapes and dtypes (else every rank throws, naming the first that differs),
  // then copies rank 0's values to every rank and hooks the parameters.
  explicit DistributedDataParallel(std::shared_ptr<nn::Module> module, DistributedDataParallelOptions options = {});
  ~DistributedDataParallel() override;

  // Broadcasts the buffers from rank 0 (broadcast_buffers), starts an iteration
  // whose backward will average the gradients, runs module->forward.
  Tensor forward(const Tensor& input) override;
  // Waits for every bucket's reduction, which leaves the averaged gradients in
  // the parameters' grad(). Backward does this itself when every parameter got
  // its gradient; call it before optimizer.step() (a no-op then) so that unused
  // parameters are noticed. Idempotent. Each grad() is a view into its bucket
  // (PyTorch's gradient_as_bucket_view): the next synchronised backward
  // overwrites it, so clone a gradient to keep it across iterations.
  void finalize();

  // Inside its scope forward/backward accumulate gradients locally, without
  // communication (gradient accumulation); the first forward after it syncs.
  class NoSyncGuard {
   public:
    explicit NoSyncGuard(DistributedDataParallel& ddp);
    ~NoSyncGuard();
    NoSyncGuard(const NoSyncGuard&) = delete;
    NoSyncGuard& operator=(const NoSyncGuard&) = delete;

   private:
    DistributedDataParallel& ddp_;
    bool previous_;
  };
  [[nodiscard]] NoSyncGuard no_sync() { return NoSyncGuard(*this); }

  nn::Module& module() const { return *module_; }
  ProcessGroup& process_group() const;
  // The parameter names of each bucket, bucket 0 (reduced first) first.
  std::vector<std::vector<std::string>> bucket_names() const;
  // With record_events: "grad <name>", "launch bucket <k>", "finalize" in the order they happened.
  const std::vector<std::string>& events() const;
  void clear_events();

  struct Reducer;  // distributed/ddp.cpp

 private:
  void check_same_model_on_every_rank();
  void broadcast_from_rank0(const std::vector<Tensor>& tensors);

  std::shared_ptr<nn::Module> module_;
  DistributedDataParallelOptions options_;
  std::shared_ptr<Reducer> reducer_;  // the hooks hold it weakly: they do nothing once DDP is gone
};

}  // namespace ember::distributed
