#pragma once

#include "wrapped.h"

namespace leaky {

// A leaf of the intermediate base: this file never names ObjectWrap, yet
// Point is what node-addon-api wraps (T = Point).
class Point : public Wrapped<Point> {
 public:
  static constexpr const char* kKind = "point";
  static Napi::Function Init(Napi::Env env);
  explicit Point(const Napi::CallbackInfo& info);

 private:
  Napi::Value Length(const Napi::CallbackInfo& info);

  double x_ = 0;
  double y_ = 0;
};

}  // namespace leaky
