#pragma once

#include <napi.h>

namespace leaky {

class Counter : public Napi::ObjectWrap<Counter> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit Counter(const Napi::CallbackInfo& info);

 private:
  Napi::Value Increment(const Napi::CallbackInfo& info);

  int64_t count_ = 0;
};

}  // namespace leaky
