// Promise-returning AsyncWorkers: every device call (list, open, execute) runs on the libuv pool so
// the event loop never blocks on an ioctl. Results and OS errors reach JS as plain objects.
#pragma once

#include <napi.h>

#include <functional>

#include "device.h"

namespace gm {

// A rejected Error carrying { errno, code, syscall, notSupported } — data, not a formatted string.
Napi::Value MakeOsError(Napi::Env env, const OsError& err);

class PromiseWorker : public Napi::AsyncWorker {
 public:
  explicit PromiseWorker(Napi::Env env) : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  // Worker thread. Return false with err filled for an OS failure.
  virtual bool Run(OsError& err) = 0;
  // Main thread, after Run() returned true.
  virtual Napi::Value Result(Napi::Env env) = 0;
  // Main thread, always, before the promise settles.
  virtual void Finished() {}

 private:
  void Execute() override { ok_ = Run(err_); }
  void OnOK() override;
  void OnError(const Napi::Error& e) override;

  Napi::Promise::Deferred deferred_;
  OsError err_;
  bool ok_ = false;
};

class ListWorker : public PromiseWorker {
 public:
  using PromiseWorker::PromiseWorker;

 protected:
  bool Run(OsError& err) override { return ListDrives(drives_, err); }
  Napi::Value Result(Napi::Env env) override;

 private:
  std::vector<DriveEntry> drives_;
};

class OpenWorker : public PromiseWorker {
 public:
  // onOpened registers the handle on the main thread and returns the id JS sees.
  OpenWorker(Napi::Env env, std::string path, bool exclusive, std::function<uint32_t(NativeHandle)> onOpened)
      : PromiseWorker(env), path_(std::move(path)), exclusive_(exclusive), onOpened_(std::move(onOpened)) {}

 protected:
  bool Run(OsError& err) override { return OpenDevice(path_, exclusive_, handle_, err); }
  Napi::Value Result(Napi::Env env) override { return Napi::Number::New(env, onOpened_(handle_)); }

 private:
  std::string path_;
  bool exclusive_;
  std::function<uint32_t(NativeHandle)> onOpened_;
  NativeHandle handle_ = 0;
};

class ExecuteWorker : public PromiseWorker {
 public:
  // `buffer` is the JS ArrayBuffer the data moves through (caller's for 'out', fresh for 'in');
  // holding a reference keeps it alive while the kernel reads or writes it.
  ExecuteWorker(Napi::Env env, NativeHandle handle, ExecRequest req, Napi::Value buffer, std::function<void()> onDone)
      : PromiseWorker(env), handle_(handle), req_(std::move(req)), onDone_(std::move(onDone)) {
    if (!buffer.IsUndefined()) bufferRef_ = Napi::Persistent(buffer.As<Napi::Object>());
  }

 protected:
  bool Run(OsError& err) override { return ExecuteCommand(handle_, req_, res_, err); }
  Napi::Value Result(Napi::Env env) override;
  void Finished() override { onDone_(); }

 private:
  NativeHandle handle_;
  ExecRequest req_;
  ExecResult res_;
  Napi::ObjectReference bufferRef_;
  std::function<void()> onDone_;
};

}  // namespace gm
