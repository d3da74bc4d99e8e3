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

void PromiseJob::Run() {
  try {
    ok_ = Work(err_);
  } catch (const std::exception& e) {
    exception_ = e.what();
    if (exception_.empty()) exception_ = "native exception";
  }
}

void PromiseJob::Complete(Napi::Env env) {
  Napi::HandleScope scope(env);
  Finished();
  if (!exception_.empty()) {
    deferred_.Reject(Napi::Error::New(env, exception_).Value());
  } else if (ok_) {
    deferred_.Resolve(Result(env));
  } else {
    deferred_.Reject(MakeOsError(env, err_));
  }
}

Napi::Value ListJob::Result(Napi::Env env) {
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

Napi::Value ExecuteJob::Result(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("status", res_.status);
  o.Set("hostStatus", res_.hostStatus);
  o.Set("driverStatus", res_.driverStatus);
  o.Set("residual", Napi::Number::New(env, static_cast<double>(res_.residual)));
  o.Set("durationMs", res_.durationMs);
  Napi::ArrayBuffer senseBuf = Napi::ArrayBuffer::New(env, res_.sense.size());
  if (!res_.sense.empty()) std::memcpy(senseBuf.Data(), res_.sense.data(), res_.sense.size());
  o.Set("sense", Napi::Uint8Array::New(env, res_.sense.size(), senseBuf, 0));
  if (req_.direction == Direction::In) {
    // The bytes actually transferred, clamped to the buffer whatever the driver reported, copied
    // out of the addon's buffer into one JS owns from now on.
    int64_t moved = static_cast<int64_t>(storage_.size()) - res_.residual;
    if (moved < 0) moved = 0;
    if (moved > static_cast<int64_t>(storage_.size())) moved = static_cast<int64_t>(storage_.size());
    Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, static_cast<size_t>(moved));
    if (moved > 0) std::memcpy(ab.Data(), storage_.data(), static_cast<size_t>(moved));
    o.Set("data", Napi::Uint8Array::New(env, static_cast<size_t>(moved), ab, 0));
  } else {
    o.Set("data", Napi::Uint8Array::New(env, 0));
  }
  return o;
}

}  // namespace gm
