// Glassmaster native addon: the thin OS layer under the MMC transport. All MMC knowledge lives in
// TypeScript; this file only registers the exports of the per-OS backends.
#include <napi.h>

static Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
#if defined(__linux__)
  o.Set("platform", "linux");
  o.Set("backend", "sg");
#elif defined(_WIN32)
  o.Set("platform", "win32");
  o.Set("backend", "spti");
#else
  o.Set("platform", "other");
  o.Set("backend", "none");
#endif
  o.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  return o;
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, Info));
  return exports;
}

NODE_API_MODULE(glassmaster_native, Init)
