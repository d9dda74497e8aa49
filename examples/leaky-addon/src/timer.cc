#include "timer.h"

namespace leaky {

Napi::Function Timer::Init(Napi::Env env) {
  return DefineClass(env, "Timer",
                     {InstanceMethod<&Timer::Elapsed>("elapsed"), InstanceMethod("kind", &Timer::Kind)});
}

Timer::Timer(const Napi::CallbackInfo& info) : Wrapped<Timer>(info) {}

Napi::Value Timer::Elapsed(const Napi::CallbackInfo& info) {
  auto elapsed = std::chrono::steady_clock::now() - start_;
  return Napi::Number::New(info.Env(), std::chrono::duration<double, std::milli>(elapsed).count());
}

}  // namespace leaky
