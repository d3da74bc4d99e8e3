#include "execute_worker.h"

#include <cstring>
#include <string>

namespace gm {

Napi::Value MakeOsError(Napi::Env env, const OsError& err) {
  // The message is a fallback for a raw console; TypeScript builds the user-facing one.
  std::string msg = (err.code.empty() ? std::string("errno ") + std::to_string(err.errnum) : err.code) + " " + err.syscall;
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("errno", Napi::Number::New(env, err.errnum));
  e.Set("code", err.code.empty() ? env.Undefined() : Napi::String::New(env, err.code));
  e.Set("syscall", Napi::String::New(env, err.syscall));
  e.Set("notSupported", Napi::Boolean::New(env, err.notSupported));
  return e.Value();
}

void PromiseWorker::OnOK() {
  Napi::Env env = Env();
  Finished();
  if (ok_) {
    deferred_.Resolve(Result(env));
  } else {
    deferred_.Reject(MakeOsError(env, err_));
  }
}

void PromiseWorker::OnError(const Napi::Error& e) {
  // A C++ exception in Run() (e.g. std::bad_alloc) — reported as is.
  Finished();
  deferred_.Reject(e.Value());
}

Napi::Value ListWorker::Result(Napi::Env env) {
  Napi::Array arr = Napi::Array::New(env, drives_.size());
  for (size_t i = 0; i < drives_.size(); i++) {
    const DriveEntry& d = drives_[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("path", d.path);
    o.Set("blockNode", d.blockNode);
    o.Set("sgNode", d.sgNode);
    o.Set("vendor", d.vendor);
    o.Set("model", d.model);
    o.Set("revision", d.revision);
    o.Set("busAddress", d.busAddress);
    arr.Set(static_cast<uint32_t>(i), o);
  }
  return arr;
}

Napi::Value ExecuteWorker::Result(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("status", res_.status);
  o.Set("hostStatus", res_.hostStatus);
  o.Set("driverStatus", res_.driverStatus);
  o.Set("residual", Napi::Number::New(env, static_cast<double>(res_.residual)));
  o.Set("durationMs", res_.durationMs);
  Napi::ArrayBuffer senseBuf = Napi::ArrayBuffer::New(env, res_.sense.size());
  if (!res_.sense.empty()) std::memcpy(senseBuf.Data(), res_.sense.data(), res_.sense.size());
  o.Set("sense", Napi::Uint8Array::New(env, res_.sense.size(), senseBuf, 0));
  if (req_.direction == Direction::In && !bufferRef_.IsEmpty()) {
    // A view of the bytes actually transferred, in the buffer the kernel wrote into.
    int64_t moved = static_cast<int64_t>(req_.length) - res_.residual;
    if (moved < 0) moved = 0;
    if (moved > req_.length) moved = req_.length;
    Napi::ArrayBuffer ab = bufferRef_.Value().As<Napi::ArrayBuffer>();
    o.Set("data", Napi::Uint8Array::New(env, static_cast<size_t>(moved), ab, 0));
  } else {
    o.Set("data", Napi::Uint8Array::New(env, 0));
  }
  return o;
}

}  // namespace gm
