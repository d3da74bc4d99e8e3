#include "io_pool.h"

namespace gm {

IoPool::IoPool(Napi::Env env) : env_(env), tsfnState_(new TsfnState()) {
  // The function's finalizer tells us when Node has finalized it, so that the destructor — which
  // Node 24 runs inside that finalization, under the function's own lock — never calls into it.
  tsfn_ = Tsfn::New(env, "glassmaster-device-io", 0, 1, this, &IoPool::OnTsfnFinalized, tsfnState_);
  tsfn_.Unref(env);
  // Registered after the threadsafe function, so it runs before the function's own cleanup
  // (environment cleanup hooks run in reverse order of registration).
  napi_add_env_cleanup_hook(env, &IoPool::OnEnvironmentCleanup, this);
}

void IoPool::OnEnvironmentCleanup(void* self) {
  static_cast<IoPool*>(self)->Shutdown();
}

IoPool::~IoPool() {
  if (!shutDown_) {
    napi_remove_env_cleanup_hook(env_, &IoPool::OnEnvironmentCleanup, this);
    Shutdown();
  }
}

// Why not simply in the destructor: the addon's instance data can be finalized from inside the
// threadsafe function's own close (Node 24, a worker thread's teardown: the close callback drains
// the environment's finalizers while holding the function's lock), and releasing the function
// there waits on that lock forever — the worker never exits, and neither does a CLI that started it.
void IoPool::Shutdown() {
  shutDown_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  // Running calls finish first (each bounded by its command timeout); their completions are then
  // refused by the aborted function and dropped.
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  if (tsfnState_->finalized) {
    delete tsfnState_;
  } else {
    tsfnState_->ownerGone = true;  // the finalizer, when it comes, frees the state
    tsfn_.Abort();
  }
  tsfnState_ = nullptr;
}

void IoPool::OnTsfnFinalized(Napi::Env, TsfnState* state, IoPool* pool) {
  if (state->ownerGone) {
    delete state;
    return;
  }
  // No lock here: Node may hold the function's lock while finalizing, and a pool thread holds ours
  // while it calls into the function (the opposite order).
  (void)pool;
  state->finalized = true;
}

size_t IoPool::Threads() {
  std::lock_guard<std::mutex> lock(mu_);
  return threads_.size();
}

void IoPool::Submit(std::unique_ptr<IoJob> job) {
  if (shutDown_) return;  // the environment is going: the job (and its promise) is dropped
  // A pending device call keeps the event loop alive, as a queued AsyncWorker did.
  if (inflight_++ == 0) tsfn_.Ref(env_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(job));
    if (idle_ == 0 && threads_.size() < kMaxThreads) threads_.emplace_back([this] { Loop(); });
  }
  cv_.notify_one();
}

void IoPool::Loop() {
  for (;;) {
    std::unique_ptr<IoJob> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      idle_++;
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      idle_--;
      if (queue_.empty()) return;  // stopping, nothing left to run
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job->Run();
    IoJob* raw = job.release();
    // The queue to the JS thread is unbounded (max_queue_size 0): this never waits. After the
    // function's finalization the call is refused (napi_closing); its memory stays valid while this
    // pool still holds its thread count, which only Shutdown gives up, after joining this thread.
    if (tsfnState_->finalized.load() || tsfn_.BlockingCall(raw) != napi_ok) delete raw;  // environment gone: drop it
  }
}

void IoPool::Deliver(Napi::Env env, Napi::Function, IoPool* pool, IoJob* job) {
  std::unique_ptr<IoJob> owned(job);
  if (env == nullptr) return;  // teardown: the function is being finalized
  if (--pool->inflight_ == 0) pool->tsfn_.Unref(env);
  owned->Complete(env);
}

}  // namespace gm
