// Project-local intermediate base: every wrapper class derives from
// Wrapped<Self>, which adds a common "kind" accessor.
#pragma once

#include <napi.h>

namespace leaky {

template <class T>
class Wrapped : public Napi::ObjectWrap<T> {
 public:
  explicit Wrapped(const Napi::CallbackInfo& info) : Napi::ObjectWrap<T>(info) {}

  Napi::Value Kind(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), T::kKind);
  }
};

}  // namespace leaky
