// Leak probe: one ObjectWrap class, and exact counts of the napi_ref
// lifecycle. The linker's --wrap routes this addon's calls to napi_wrap and
// napi_delete_reference through the counters below (RSS is noisy; these
// counts are not).
//
// PROBE_FINALIZE: 0 no override, 1 empty Finalize(Napi::Env),
//                 2 empty Finalize(Napi::BasicEnv) (8.2.0 and later only).
#include <napi.h>

#include <atomic>

extern "C" {
napi_status __real_napi_wrap(napi_env, napi_value, void*, napi_finalize, void*, napi_ref*);
napi_status __real_napi_delete_reference(napi_env, napi_ref);

static std::atomic<long long> g_wrapped{0};
static std::atomic<long long> g_deleted{0};

napi_status __wrap_napi_wrap(napi_env env, napi_value object, void* native, napi_finalize finalize, void* hint,
                             napi_ref* result) {
  napi_status status = __real_napi_wrap(env, object, native, finalize, hint, result);
  if (status == napi_ok && result != nullptr) ++g_wrapped;
  return status;
}

napi_status __wrap_napi_delete_reference(napi_env env, napi_ref ref) {
  ++g_deleted;
  return __real_napi_delete_reference(env, ref);
}
}

#ifndef PROBE_FINALIZE
#define PROBE_FINALIZE 0
#endif

class Probe : public Napi::ObjectWrap<Probe> {
 public:
  static Napi::Function Init(Napi::Env env) { return DefineClass(env, "Probe", {}); }
  explicit Probe(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Probe>(info) {}
#if PROBE_FINALIZE == 1
  void Finalize(Napi::Env /*env*/) override {}
#elif PROBE_FINALIZE == 2
  void Finalize(Napi::BasicEnv /*env*/) override {}
#endif
};

static Napi::Value Stats(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("wrapped", Napi::Number::New(info.Env(), static_cast<double>(g_wrapped.load())));
  out.Set("deleted", Napi::Number::New(info.Env(), static_cast<double>(g_deleted.load())));
  return out;
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Probe", Probe::Init(env));
  exports.Set("stats", Napi::Function::New(env, Stats));
  return exports;
}

NODE_API_MODULE(probe, Init)
