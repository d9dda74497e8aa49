'use strict';
// Every object created here is a Napi::ObjectWrap instance. Built against
// node-addon-api 8.2.0 or 8.2.1, each one leaks a napi_ref (~82 bytes of
// native memory) when it is garbage-collected.
const addon = require('./build/Release/leaky_addon.node');

module.exports = addon;

if (require.main === module) {
  const counter = new addon.Counter(41);
  const point = new addon.Point(3, 4);
  const timer = new addon.Timer();
  console.log('counter', counter.increment(), 'point', point.kind(), point.length(), 'timer', timer.kind(), timer.elapsed() >= 0);
}
