// The addon's own threads for blocking device calls. Every list/open/execute used to run on a
// Napi::AsyncWorker, i.e. on libuv's shared pool (4 threads by default) with fs, DNS and zlib: four
// SG_IO ioctls waiting on a slow drive (a 30 s FORMAT UNIT poll, a stalled read) starved every
// fs.readFile in the process. Device calls now run here; results come back to the JS thread
// through one napi threadsafe function.
//
// - Threads are started on demand, up to kMaxThreads, and stay for reuse; work beyond that waits in
//   a FIFO queue (more concurrent device commands than that means more drives than anyone has).
// - Each Job's Run() executes on a pool thread and must not touch JS; Complete() runs on the JS
//   thread. The threadsafe function is referenced only while jobs are in flight, so an idle addon
//   never keeps the process alive, and a busy one keeps it alive like a pending AsyncWorker did.
// - Shutdown (environment teardown) stops taking work, lets running calls finish (each is bounded
//   by its command timeout) and joins the threads; completions after teardown are dropped.
#pragma once

#include <napi.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace gm {

class IoJob {
 public:
  virtual ~IoJob() = default;
  // Pool thread.
  virtual void Run() = 0;
  // JS thread, once Run() has returned.
  virtual void Complete(Napi::Env env) = 0;
};

class IoPool {
 public:
  static constexpr size_t kMaxThreads = 16;

  explicit IoPool(Napi::Env env);
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  // JS thread. Takes ownership of the job.
  void Submit(std::unique_ptr<IoJob> job);
  // Threads started so far (tests, diagnostics).
  size_t Threads();

 private:
  void Loop();
  // Stops taking work, joins the threads and aborts the threadsafe function, once: at environment
  // cleanup, or from the destructor if that comes first.
  void Shutdown();
  static void OnEnvironmentCleanup(void* self);
  static void Deliver(Napi::Env env, Napi::Function, IoPool* pool, IoJob* job);
  // Shared with the threadsafe function's finalizer: which of the two goes first. `finalized` is set
  // on the JS thread and read by pool threads; `ownerGone` is the JS thread's only.
  struct TsfnState {
    std::atomic<bool> finalized{false};
    bool ownerGone = false;
  };
  static void OnTsfnFinalized(Napi::Env env, TsfnState* state, IoPool* pool);
  using Tsfn = Napi::TypedThreadSafeFunction<IoPool, IoJob, &IoPool::Deliver>;

  Napi::Env env_;
  TsfnState* tsfnState_;
  Tsfn tsfn_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<IoJob>> queue_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool stopping_ = false;
  // JS thread only.
  bool shutDown_ = false;
  // JS thread only.
  size_t inflight_ = 0;
};

}  // namespace gm
