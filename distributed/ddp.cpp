// DistributedDataParallel: the construction-time model check and broadcast, and
// the Reducer that buckets gradients as backward produces them and all-reduces
// each full bucket at once. Note [DDP buckets] is the why.
#include <ember/distributed/ddp.h>

#include <ember/autograd/grad_mode.h>
#include <ember/core/error.h>
#include <ember/ops/ops.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <sstream>

namespace ember::distributed {

// Note [DDP buckets]
// Gradients are averaged in buckets, not one all-reduce per parameter (latency)
// nor one at the end (no overlap). Parameters go into buckets in reverse
// registration order, which is about the order backward produces their
// gradients (the last layer first); the first bucket is small (1 MiB) so that
// its reduction starts as soon as the last layer's gradients exist, the others
// hold up to bucket_cap_mb. A post-accumulate hook on each parameter writes
// grad / world_size into its slot of the bucket's flat buffer and makes grad()
// that slot (PyTorch's gradient_as_bucket_view); when a bucket is full its
// async all-reduce (sum) is launched while backward goes on. Buckets are
// launched strictly in index order, so every rank issues the same collectives
// in the same order even if its backward ran the hooks in another order (MPI
// and NCCL match collectives by order). finalize() only waits: the sums land
// in the gradients themselves. Scaling before the sum, not dividing after it,
// and no copy back, leave one pass over each gradient instead of four (copy
// in, sum, divide, copy out); on the 2-core machine that pass is most of
// DDP's cost for a small model whose gradients fit one bucket.
struct DistributedDataParallel::Reducer {
  struct Bucket {
    std::vector<size_t> params;    // indices into Reducer::params
    std::vector<int64_t> offsets;  // element offset of each in flat
    Tensor flat;
    int64_t pending = 0;  // parameters whose gradient has not arrived this iteration
    Work work;
    bool launched = false;
  };

  ProcessGroup* group = nullptr;
  int world = 1;
  bool find_unused = false;
  bool record = false;
  std::vector<Tensor> params;
  std::vector<std::string> names;
  std::vector<size_t> bucket_of, slot_of;
  std::vector<Bucket> buckets;
  std::vector<char> ready;
  size_t num_ready = 0;
  size_t next_launch = 0;
  bool sync = true;          // false inside no_sync()
  bool in_iteration = false;  // a syncing forward ran; its backward has not been finalized
  std::vector<std::string> events;

  void start_iteration() {
    std::fill(ready.begin(), ready.end(), 0);
    num_ready = 0;
    next_launch = 0;
    for (Bucket& b : buckets) {
      b.pending = static_cast<int64_t>(b.params.size());
      b.launched = false;
      b.work = Work();
    }
    in_iteration = true;
  }

  // Parameter i's place in its bucket, shaped as the parameter.
  Tensor slot_of_param(size_t i) const {
    const Bucket& bucket = buckets[bucket_of[i]];
    return bucket.flat.narrow(0, bucket.offsets[slot_of[i]], params[i].numel()).view(params[i].shape());
  }

  void on_grad(size_t i) {
    if (!in_iteration) return;
    EMBER_CHECK(!ready[i],
                "DistributedDataParallel: parameter '{}' received a second gradient in one iteration (a second "
                "backward through the same forward); DDP averages once per forward",
                names[i]);
    const Tensor grad = params[i].grad();
    Tensor slot = slot_of_param(i);
    {
      NoGradGuard no_grad;
      if (grad.data_ptr() != slot.data_ptr()) slot.copy_(grad);  // not yet accumulated in place into its slot
      if (world > 1) slot.mul_(1.0 / world);
    }
    params[i].set_grad(slot);
    if (record) events.push_back("grad " + names[i]);
    mark_ready(i);
  }

  void mark_ready(size_t i) {
    ready[i] = 1;
    ++num_ready;
    --buckets[bucket_of[i]].pending;
    while (next_launch < buckets.size() && buckets[next_launch].pending == 0) {
      Bucket& b = buckets[next_launch];
      b.work = group->all_reduce_unchecked_async(b.flat, ReduceOp::Sum);  // of grad / world
      b.launched = true;
      if (record) events.push_back(fmt::format("launch bucket {}", next_launch));
      ++next_launch;
    }
    if (num_ready == params.size()) finalize();
  }

  void finalize() {
    if (!in_iteration) return;
    if (num_ready == 0) {  // a forward without backward (evaluation with grad mode on)
      in_iteration = false;
      return;
    }
    if (num_ready < params.size()) {
      size_t first = 0;
      while (ready[first]) ++first;
      if (!find_unused) {
        in_iteration = false;
        ember::detail::fail(ErrorKind::Runtime,
                     "DistributedDataParallel: parameter '{}' received no gradient in this iteration (it took no part "
                     "in the loss); construct DistributedDataParallel with find_unused_parameters = true if that is "
                     "intended",
                     names[first]);
      }
      for (size_t i = 0; i < params.size(); ++i) {
        if (ready[i]) continue;
        Tensor slot = slot_of_param(i);
        {
          NoGradGuard no_grad;
          slot.zero_();
        }
        params[i].set_grad(slot);
        mark_ready(i);  // the last one re-enters finalize(), which does the rest
      }
      return;
    }
    in_iteration = false;
    NoGradGuard no_grad;
    for (Bucket& b : buckets) b.work.wait();
    if (record) events.push_back("finalize");
  }
};

DistributedDataParallel::DistributedDataParallel(std::shared_ptr<nn::Module> module,
                                                 DistributedDataParallelOptions options)
    : module_(std::move(module)), options_(options), reducer_(std::make_shared<Reducer>()) {
  EMBER_CHECK_VALUE(module_ != nullptr, "DistributedDataParallel: expected a module, got nullptr");
  EMBER_CHECK_VALUE(options_.bucket_cap_mb > 0 && options_.first_bucket_cap_mb > 0,
                    "DistributedDataParallel: expected positive bucket sizes, got bucket_cap_mb = {} and "
                    "first_bucket_cap_mb = {}",
                    options_.bucket_cap_mb, options_.first_bucket_cap_mb);
  register_module("module", module_);
  Reducer& r = *reducer_;
  r.group = options_.process_group != nullptr ? options_.process_group : &default_group();
  r.world = r.group->size();
  r.find_unused = options_.find_unused_parameters;
  r.record = options_.record_events;

  check_same_model_on_every_rank();
  std::vector<Tensor> everything = module_->parameters();
  for (const Tensor& b : module_->buffers()) everything.push_back(b);
  broadcast_from_rank0(everything);

  for (const auto& [name, p] : named_parameters()) {
    if (!p.requires_grad()) continue;
    r.names.push_back(name);
    r.params.push_back(p);
  }
  // Buckets in reverse registration order (Note [DDP buckets]); a bucket holds one dtype and device.
  const size_t n = r.params.size();
  r.bucket_of.assign(n, 0);
  r.slot_of.assign(n, 0);
  int64_t bucket_bytes = 0;
  for (size_t k = n; k-- > 0;) {
    const Tensor& p = r.params[k];
    // The cap of the bucket being filled: bucket 0 has the small one.
    const double cap_mb = r.buckets.size() == 1 ? options_.first_bucket_cap_mb : options_.bucket_cap_mb;
    const int64_t cap = static_cast<int64_t>(cap_mb * 1024 * 1024);
    bool fresh = r.buckets.empty();
    if (!fresh) {
      const Tensor& first = r.params[r.buckets.back().params.front()];
      fresh = bucket_bytes >= cap || first.dtype() != p.dtype() || first.device() != p.device();
    }
    if (fresh) {
      r.buckets.emplace_back();
      bucket_bytes = 0;
    }
    Reducer::Bucket& bucket = r.buckets.back();
    const int64_t offset = bucket.params.empty() ? 0 : bucket.offsets.back() + r.params[bucket.params.back()].numel();
    r.bucket_of[k] = r.buckets.size() - 1;
    r.slot_of[k] = bucket.params.size();
    bucket.params.push_back(k);
    bucket.offsets.push_back(offset);
    bucket_bytes += static_cast<int64_t>(p.nbytes());
  }
  for (Reducer::Bucket& bucket : r.buckets) {
    const Tensor& last = r.params[bucket.params.back()];
    const int64_t numel = bucket.offsets.back() + last.numel();
    bucket.flat = zeros({numel}, last.options());
  }
  r.ready.assign(n, 0);
  std::weak_ptr<Reducer> weak = reducer_;
  for (size_t k = 0; k < n; ++k) {
    r.params[k].register_post_accumulate_grad_hook([weak, k](const Tensor&) {
      if (auto reducer = weak.lock()) reducer->on_grad(k);
    });
  }
}

DistributedDataParallel::~DistributedDataParallel() {
  // A reduction still in flight writes into its bucket: let it finish before the bucket is freed.
  for (Reducer::Bucket& b : reducer_->buckets) {
    try {
      b.work.wait();
    } catch (const Error&) {
      // Already failed or timed out (Work then keeps its buffers alive): nothing more to do here.
    }
  }
}

ProcessGroup& DistributedDataParallel::process_group() const { return *reducer_->group; }

// One line per parameter and buffer, "p name dtype [shape]", gathered from every
// rank and compared with rank 0's, so every rank finds the same first difference.
void DistributedDataParallel::check_same_model_on_every_rank() {
  ProcessGroup& group = *reducer_->group;
  std::vector<std::string> lines;
  for (const auto& [name, p] : module_->named_parameters()) {
    lines.push_back(fmt::format("parameter '{}' {} {}", name, p.shape(), p.dtype()));
  }
  for (const auto& [name, b] : module_->named_buffers()) {
    lines.push_back(fmt::format("buffer '{}' {} {}", name, b.shape(), b.dtype()));
  }
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  // Lengths first, then every rank's text padded to the longest.
  Tensor length = full({1}, static_cast<int64_t>(text.size()), kInt64);
  std::vector<Tensor> lengths;
  for (int r = 0; r < group.size(); ++r) lengths.push_back(empty({1}, kInt64));
  group.all_gather(lengths, length);
  int64_t longest = 0;
  for (const Tensor& l : lengths) longest = std::max(longest, l.item<int64_t>());
  Tensor mine = zeros({longest}, kUInt8);
  std::copy(text.begin(), text.end(), static_cast<char*>(mine.data_ptr()));
  std::vector<Tensor> texts;
  for (int r = 0; r < group.size(); ++r) texts.push_back(empty({longest}, kUInt8));
  group.all_gather(texts, mine);
  auto lines_of = [&](int r) {
    std::string all(static_cast<const char*>(texts[r].data_ptr()), static_cast<size_t>(lengths[r].item<int64_t>()));
    std::vector<std::string> out;
    std::istringstream in(all);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  };
  const std::vector<std::string> reference = lines_of(0);
  for (int r = 1; r < group.size(); ++r) {
    const std::vector<std::string> other = lines_of(r);
    for (size_t i = 0; i < std::max(reference.size(), other.size()); ++i) {
      const std::string a = i < reference.size() ? reference[i] : "nothing";
      const std::string b = i < other.size() ? other[i] : "nothing";
      EMBER_CHECK_VALUE(a == b,
                        "DistributedDataParallel: expected the same parameters and buffers on every rank, got {} on "
                        "rank 0 and {} on rank {} (entry {} in registration order)",
                        a, b, r, i);
    }
  }
}

void DistributedDataParallel::broadcast_from_rank0(const std::vector<Tensor>& tensors) {
  ProcessGroup& group = *reducer_->group;
  if (group.size() == 1) return;
  std::vector<Work> works;
  for (Tensor t : tensors) works.push_back(group.broadcast_async(t, 0));
  for (Work& w : works) w.wait();
}

Tensor DistributedDataParallel::forward(const Tensor& input) {
  Reducer& r = *reducer_;
  if (r.in_iteration) r.finalize();  // the previous backward left parameters without gradients
  if (options_.broadcast_buffers) broadcast_from_rank0(module_->buffers());
  if (autograd::is_grad_enabled() && r.sync) r.start_iteration();
  return module_->forward(input);
}

void DistributedDataParallel::finalize() { reducer_->finalize(); }

DistributedDataParallel::NoSyncGuard::NoSyncGuard(DistributedDataParallel& ddp)
    : ddp_(ddp), previous_(ddp.reducer_->sync) {
  ddp_.reducer_->sync = false;
}

DistributedDataParallel::NoSyncGuard::~NoSyncGuard() { ddp_.reducer_->sync = previous_; }

std::vector<std::vector<std::string>> DistributedDataParallel::bucket_names() const {
  std::vector<std::vector<std::string>> out;
  for (const Reducer::Bucket& b : reducer_->buckets) {
    out.emplace_back();
    for (size_t i : b.params) out.back().push_back(reducer_->names[i]);
  }
  return out;
}

const std::vector<std::string>& DistributedDataParallel::events() const { return reducer_->events; }
void DistributedDataParallel::clear_events() { reducer_->events.clear(); }

}  // namespace ember::distributed
