'use strict';
// napi-fix probe: preloaded (NODE_OPTIONS --require) into every Node.js
// process of the probed command. Collects garbage before exit so wrapped
// objects are finalized and a short run still gives a clear answer.
// The collector comes from V8's flags, not --expose-gc: Node 18 refuses
// --expose-gc in NODE_OPTIONS, and global.gc stays as the command left it.
const collect = (() => {
  if (typeof global.gc === 'function') return global.gc;
  try {
    require('v8').setFlagsFromString('--expose-gc');
    return require('vm').runInNewContext('gc');
  } catch (error) {
    return null;
  }
})();

if (collect !== null) {
  // Finalizers run from an immediate after a collection: at a natural exit,
  // collect and let the loop turn a few times (once: the next beforeExit
  // finds nothing scheduled and the process exits).
  process.once('beforeExit', () => {
    let round = 0;
    const step = () => {
      collect();
      if (++round < 4) setImmediate(step);
    };
    step();
  });
  // process.exit() leaves no turn of the loop: collect anyway, so that
  // whatever Node finalizes while tearing down is counted.
  process.on('exit', () => collect());
}
