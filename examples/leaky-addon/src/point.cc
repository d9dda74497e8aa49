#include "point.h"

#include <cmath>

namespace leaky {

Napi::Function Point::Init(Napi::Env env) {
  return DefineClass(env, "Point",
                     {InstanceMethod<&Point::Length>("length"), InstanceMethod("kind", &Point::Kind)});
}

Point::Point(const Napi::CallbackInfo& info) : Wrapped<Point>(info) {
  if (info.Length() >= 2) {
    x_ = info[0].As<Napi::Number>().DoubleValue();
    y_ = info[1].As<Napi::Number>().DoubleValue();
  }
}

Napi::Value Point::Length(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), std::hypot(x_, y_));
}

}  // namespace leaky
