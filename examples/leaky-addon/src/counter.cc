#include "counter.h"

namespace leaky {

Napi::Function Counter::Init(Napi::Env env) {
  return DefineClass(env, "Counter", {InstanceMethod<&Counter::Increment>("increment")});
}

Counter::Counter(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Counter>(info) {
  if (info.Length() > 0 && info[0].IsNumber()) {
    count_ = info[0].As<Napi::Number>().Int64Value();
  }
}

Napi::Value Counter::Increment(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(++count_));
}

}  // namespace leaky
