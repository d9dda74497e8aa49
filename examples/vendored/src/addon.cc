#include <napi.h>

class Session : public Napi::ObjectWrap<Session> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Session", {InstanceMethod<&Session::Id>("id")});
  }
  explicit Session(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Session>(info), id_(++next_) {}

 private:
  Napi::Value Id(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), id_); }

  static inline int next_ = 0;
  int id_;
};

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Session", Session::Init(env));
  return exports;
}

NODE_API_MODULE(vendored_addon, Init)
