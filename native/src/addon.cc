// Glassmaster native addon: the thin OS layer under the SCSI transport. Exports info, list, open,
// close, execute — nothing MMC-specific (all MMC knowledge lives in TypeScript).
#include <napi.h>

#include <memory>
#include <unordered_map>
#include <vector>

#include "device.h"
#include "execute_worker.h"
#include "flac_decode.h"
#if !defined(_WIN32)
#include "dir_scan.h"
#include "file_fill.h"
#endif

namespace gm {

namespace {

// An open device. Closing while commands are in flight marks it closing; the OS handle is released
// when the last in-flight command returns, so a handle number is never reused under a running ioctl.
struct HandleEntry {
  NativeHandle handle;
  unsigned inflight = 0;
  bool closing = false;
};

OsError MakeErr(int errnum, const char* code, const char* syscall) {
  OsError e;
  e.errnum = errnum;
  e.code = code;
  e.syscall = syscall;
  return e;
}

Napi::Value Rejected(Napi::Env env, const OsError& err) {
  auto d = Napi::Promise::Deferred::New(env);
  d.Reject(MakeOsError(env, err));
  return d.Promise();
}

}  // namespace

class GlassmasterAddon : public Napi::Addon<GlassmasterAddon> {
 public:
  GlassmasterAddon(Napi::Env env, Napi::Object exports) : pool_(std::make_unique<IoPool>(env)) {
    DefineAddon(exports, {
                             InstanceMethod("info", &GlassmasterAddon::Info),
                             InstanceMethod("list", &GlassmasterAddon::List),
                             InstanceMethod("open", &GlassmasterAddon::Open),
                             InstanceMethod("close", &GlassmasterAddon::Close),
                             InstanceMethod("execute", &GlassmasterAddon::Execute),
#if !defined(_WIN32)
                             // The image writer's copy thread: many small files into one buffer (file_fill.h).
                             InstanceMethod("fillPieces", &GlassmasterAddon::FillPiecesMethod),
                             // The image scanner: one directory's names and stat fields (dir_scan.h).
                             InstanceMethod("scanDir", &GlassmasterAddon::ScanDirMethod),
#endif
                         });
#if !defined(_WIN32)
    // The image scanner's folders read ahead by a thread of their own (tree_read_posix.cc).
    exports.Set("TreeReader", DefineTreeReader(env));
#endif
    // FLAC decoding through the system's libFLAC, where the build found it (flac_decode.h).
    RegisterFlacDecoder(env, exports);
  }

  ~GlassmasterAddon() {
    // Stops the device threads taking work; a call still in the kernel keeps its own reference to
    // the open file (closing the descriptor below does not free it under the ioctl).
    pool_.reset();
    for (auto& kv : handles_) CloseDevice(kv.second.handle);
  }

 private:
#if !defined(_WIN32)
  Napi::Value FillPiecesMethod(const Napi::CallbackInfo& info) { return FillPieces(info); }
  Napi::Value ScanDirMethod(const Napi::CallbackInfo& info) { return ScanDir(info); }
#endif

  Napi::Value Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
#if defined(__linux__)
    o.Set("platform", "linux");
#elif defined(_WIN32)
    o.Set("platform", "win32");
#else
    o.Set("platform", "other");
#endif
    o.Set("backend", BackendName());
    o.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
    return o;
  }

  Napi::Value List(const Napi::CallbackInfo& info) {
    auto job = std::make_unique<ListJob>(info.Env());
    Napi::Promise p = job->Promise();
    pool_->Submit(std::move(job));
    return p;
  }

  // open(path: string, exclusive: boolean) → Promise<number>
  Napi::Value Open(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "open(path: string, exclusive?: boolean)");
    std::string path = info[0].As<Napi::String>();
    bool exclusive = info.Length() > 1 && info[1].ToBoolean();
    auto job = std::make_unique<OpenJob>(env, path, exclusive, [this](NativeHandle h) {
      uint32_t id = nextId_++;
      handles_.emplace(id, HandleEntry{h});
      return id;
    });
    Napi::Promise p = job->Promise();
    pool_->Submit(std::move(job));
    return p;
  }

  // close(handle: number) → boolean (false when the handle was not open)
  Napi::Value Close(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "close(handle: number)");
    uint32_t id = info[0].As<Napi::Number>().Uint32Value();
    auto it = handles_.find(id);
    if (it == handles_.end() || it->second.closing) return Napi::Boolean::New(env, false);
    it->second.closing = true;
    Release(id);
    return Napi::Boolean::New(env, true);
  }

  // execute(handle, { cdb, direction, data?, length?, timeoutMs }) → Promise<result>
  Napi::Value Execute(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsObject())
      throw Napi::TypeError::New(env, "execute(handle: number, request: object)");
    uint32_t id = info[0].As<Napi::Number>().Uint32Value();
    Napi::Object r = info[1].As<Napi::Object>();

    ExecRequest req;
    Napi::Value cdbValue = r.Get("cdb");
    if (!cdbValue.IsTypedArray() || cdbValue.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      throw Napi::TypeError::New(env, "request.cdb must be a Uint8Array");
    Napi::Uint8Array cdb = cdbValue.As<Napi::Uint8Array>();
    if (cdb.ElementLength() < 6 || cdb.ElementLength() > 16) throw Napi::RangeError::New(env, "request.cdb must be 6 to 16 bytes");
    req.cdb.assign(cdb.Data(), cdb.Data() + cdb.ElementLength());

    std::string dir = r.Get("direction").ToString();
    // The addon's own copy of the data for the whole command (see ExecuteJob).
    std::vector<uint8_t> storage;
    if (dir == "none") {
      req.direction = Direction::None;
    } else if (dir == "in") {
      req.direction = Direction::In;
      double len = r.Get("length").ToNumber().DoubleValue();
      if (!(len >= 0 && len <= 0x7fffffff)) throw Napi::RangeError::New(env, "request.length out of range");
      storage.assign(static_cast<size_t>(len), 0);
    } else if (dir == "out") {
      req.direction = Direction::Out;
      Napi::Value dataValue = r.Get("data");
      if (!dataValue.IsTypedArray() || dataValue.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
        throw Napi::TypeError::New(env, "request.data must be a Uint8Array for direction 'out'");
      Napi::Uint8Array data = dataValue.As<Napi::Uint8Array>();
      if (data.ElementLength() > 0x7fffffff) throw Napi::RangeError::New(env, "request.data is too long");
      // A detached buffer reads as length 0 and a null pointer: nothing to copy, an empty write.
      if (data.ElementLength() > 0 && data.Data() != nullptr) storage.assign(data.Data(), data.Data() + data.ElementLength());
    } else {
      throw Napi::TypeError::New(env, "request.direction must be 'none', 'in' or 'out'");
    }
    Napi::Value timeout = r.Get("timeoutMs");
    if (timeout.IsNumber()) {
      double t = timeout.As<Napi::Number>().DoubleValue();
      if (!(t >= 1 && t <= 0xffffffff)) throw Napi::RangeError::New(env, "request.timeoutMs out of range");
      req.timeoutMs = static_cast<uint32_t>(t);
    }

    // Arguments are checked first (TypeError/RangeError are programming errors, thrown); an unknown
    // or closed handle is a runtime condition and rejects like any OS failure.
    auto it = handles_.find(id);
    if (it == handles_.end() || it->second.closing) return Rejected(env, MakeErr(EBADF_VALUE, "EBADF", "execute"));
    it->second.inflight++;
    auto job = std::make_unique<ExecuteJob>(env, it->second.handle, std::move(req), std::move(storage), [this, id]() { Release(id, true); });
    Napi::Promise p = job->Promise();
    pool_->Submit(std::move(job));
    return p;
  }

  // Main thread only. Drops one in-flight count (when `done`) and closes the OS handle once the
  // entry is closing and idle.
  void Release(uint32_t id, bool done = false) {
    auto it = handles_.find(id);
    if (it == handles_.end()) return;
    if (done && it->second.inflight > 0) it->second.inflight--;
    if (it->second.closing && it->second.inflight == 0) {
      CloseDevice(it->second.handle);
      handles_.erase(it);
    }
  }

  // EBADF is 9 on Linux, macOS and the Windows CRT alike.
  static constexpr int EBADF_VALUE = 9;

  std::unique_ptr<IoPool> pool_;
  std::unordered_map<uint32_t, HandleEntry> handles_;
  uint32_t nextId_ = 1;
};

}  // namespace gm

using GlassmasterAddon = gm::GlassmasterAddon;
NODE_API_ADDON(GlassmasterAddon)
