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
// - Shutdown (environment teardown) never waits for a call still blocked in the kernel (it is
//   bounded by its command timeout, which may be long): threads are detached and keep only the
//   shared state alive (shared_ptr) and the threadsafe function acquired; when their call returns
//   they drop its result, release the function and exit. Queued calls not yet started are dropped.
#pragma once

#include <napi.h>

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

 private:
  struct Shared;
  static void Loop(std::shared_ptr<Shared> shared);
  static void Deliver(Napi::Env env, Napi::Function, Shared* shared, IoJob* job);
  using Tsfn = Napi::TypedThreadSafeFunction<Shared, IoJob, &IoPool::Deliver>;

  struct Shared {
    Tsfn tsfn;
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::unique_ptr<IoJob>> queue;
    size_t threads = 0;
    size_t idle = 0;
    bool stopping = false;
    // JS thread only.
    size_t inflight = 0;
  };

  Napi::Env env_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace gm
