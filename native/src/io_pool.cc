#include "io_pool.h"

namespace gm {

IoPool::IoPool(Napi::Env env) : env_(env), shared_(std::make_shared<Shared>()) {
  // The context pointer stays valid while any thread holds the function: each thread keeps the
  // Shared alive through its own shared_ptr and acquires the function for its lifetime.
  shared_->tsfn = Tsfn::New(env, "glassmaster-device-io", 0, 1, shared_.get());
  shared_->tsfn.Unref(env);
}

IoPool::~IoPool() {
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->stopping = true;
    shared_->queue.clear();
  }
  shared_->cv.notify_all();
  // Calls still in the kernel finish on their own (see io_pool.h); their results are refused.
  shared_->tsfn.Abort();
}

void IoPool::Submit(std::unique_ptr<IoJob> job) {
  Shared& s = *shared_;
  // A pending device call keeps the event loop alive, as a queued AsyncWorker did.
  if (s.inflight++ == 0) s.tsfn.Ref(env_);
  bool start = false;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.queue.push_back(std::move(job));
    if (s.idle == 0 && s.threads < kMaxThreads && s.tsfn.Acquire() == napi_ok) {
      s.threads++;
      start = true;
    }
  }
  if (start) std::thread(Loop, shared_).detach();
  s.cv.notify_one();
}

void IoPool::Loop(std::shared_ptr<Shared> shared) {
  Shared& s = *shared;
  for (;;) {
    std::unique_ptr<IoJob> job;
    {
      std::unique_lock<std::mutex> lock(s.mu);
      s.idle++;
      s.cv.wait(lock, [&s] { return s.stopping || !s.queue.empty(); });
      s.idle--;
      if (s.stopping) break;
      job = std::move(s.queue.front());
      s.queue.pop_front();
    }
    job->Run();
    IoJob* raw = job.release();
    // The queue to the JS thread is unbounded (max_queue_size 0): this never waits. After
    // teardown it is refused (napi_closing) and the result is dropped here.
    if (s.tsfn.BlockingCall(raw) != napi_ok) delete raw;
  }
  s.tsfn.Release();
}

void IoPool::Deliver(Napi::Env env, Napi::Function, Shared* shared, IoJob* job) {
  std::unique_ptr<IoJob> owned(job);
  if (env == nullptr) return;  // teardown: the function is being finalized
  if (--shared->inflight == 0) shared->tsfn.Unref(env);
  owned->Complete(env);
}

}  // namespace gm
