#pragma once

#include <chrono>

#include "wrapped.h"

namespace leaky {

struct Timer : Wrapped<Timer> {
  static constexpr const char* kKind = "timer";
  static Napi::Function Init(Napi::Env env);
  explicit Timer(const Napi::CallbackInfo& info);
  Napi::Value Elapsed(const Napi::CallbackInfo& info);

  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace leaky
