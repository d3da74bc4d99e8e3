// Promise-returning device jobs: every device call (list, open, execute) runs on the addon's own
// threads (io_pool.h), never on libuv's shared pool, so the event loop and fs/DNS never wait on an
// ioctl. Results and OS errors reach JS as plain objects.
#pragma once

#include <napi.h>

#include <functional>
#include <vector>

#include "device.h"
#include "io_pool.h"

namespace gm {

// A rejected Error carrying { errno, code, syscall, notSupported } — data, not a formatted string.
Napi::Value MakeOsError(Napi::Env env, const OsError& err);

class PromiseJob : public IoJob {
 public:
  explicit PromiseJob(Napi::Env env) : deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  // Pool thread. Return false with err filled for an OS failure.
  virtual bool Work(OsError& err) = 0;
  // JS thread, after Work() returned true.
  virtual Napi::Value Result(Napi::Env env) = 0;
  // JS thread, always, before the promise settles.
  virtual void Finished() {}

 private:
  void Run() final;
  void Complete(Napi::Env env) final;

  Napi::Promise::Deferred deferred_;
  OsError err_;
  bool ok_ = false;
  std::string exception_;  // a C++ exception in Work() (e.g. std::bad_alloc)
};

class ListJob : public PromiseJob {
 public:
  using PromiseJob::PromiseJob;

 protected:
  bool Work(OsError& err) override { return ListDrives(drives_, err); }
  Napi::Value Result(Napi::Env env) override;

 private:
  std::vector<DriveEntry> drives_;
};

class OpenJob : public PromiseJob {
 public:
  // onOpened registers the handle on the JS thread and returns the id JS sees.
  OpenJob(Napi::Env env, std::string path, bool exclusive, std::function<uint32_t(NativeHandle)> onOpened)
      : PromiseJob(env), path_(std::move(path)), exclusive_(exclusive), onOpened_(std::move(onOpened)) {}

 protected:
  bool Work(OsError& err) override { return OpenDevice(path_, exclusive_, handle_, err); }
  Napi::Value Result(Napi::Env env) override { return Napi::Number::New(env, onOpened_(handle_)); }

 private:
  std::string path_;
  bool exclusive_;
  std::function<uint32_t(NativeHandle)> onOpened_;
  NativeHandle handle_ = 0;
};

// The data moves through a buffer the addon owns for the whole command: 'out' bytes are copied
// from the caller's Uint8Array when the command is submitted, 'in' bytes are copied into a fresh
// ArrayBuffer when it completes. No JS-owned memory is ever under an ioctl, so JS detaching or
// transferring its buffer mid-command (structuredClone/postMessage transfer,
// ArrayBuffer.prototype.transfer) cannot make the kernel read or write memory JS gave away.
class ExecuteJob : public PromiseJob {
 public:
  ExecuteJob(Napi::Env env, NativeHandle handle, ExecRequest req, std::vector<uint8_t> storage, std::function<void()> onDone)
      : PromiseJob(env), handle_(handle), req_(std::move(req)), storage_(std::move(storage)), onDone_(std::move(onDone)) {
    req_.data = storage_.empty() ? nullptr : storage_.data();
    req_.length = static_cast<uint32_t>(storage_.size());
  }

 protected:
  bool Work(OsError& err) override { return ExecuteCommand(handle_, req_, res_, err); }
  Napi::Value Result(Napi::Env env) override;
  void Finished() override { onDone_(); }

 private:
  NativeHandle handle_;
  ExecRequest req_;
  std::vector<uint8_t> storage_;
  ExecResult res_;
  std::function<void()> onDone_;
};

}  // namespace gm
