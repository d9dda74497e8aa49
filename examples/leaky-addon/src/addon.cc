#include <napi.h>

#include "counter.h"
#include "point.h"
#include "timer.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Counter", leaky::Counter::Init(env));
  exports.Set("Point", leaky::Point::Init(env));
  exports.Set("Timer", leaky::Timer::Init(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(leaky_addon, Init)
