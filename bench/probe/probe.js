'use strict';
// node --expose-gc probe.js ADDON OBJECTS BATCH
// Creates OBJECTS ObjectWrap instances in batches, forcing collection
// between batches so finalizers run; prints one JSON line. RSS is measured
// over the objects after the first tenth (the warm-up).
const addon = require(process.argv[2]);
const total = Number(process.argv[3]);
const batch = Number(process.argv[4]);

async function settle() {
  for (let i = 0; i < 3; i++) {
    global.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

(async () => {
  let made = 0;
  let start = null;
  while (made < total) {
    for (let i = 0; i < batch; i++) new addon.Probe();
    made += batch;
    await settle();
    if (start === null && made >= total / 10) {
      start = { made, rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed };
    }
  }
  await settle();
  const end = process.memoryUsage();
  const stats = addon.stats();
  const measured = made - start.made;
  console.log(JSON.stringify({
    objects: made,
    measured,
    rss_growth: end.rss - start.rss,
    heap_growth: end.heapUsed - start.heap,
    bytes_per_object: (end.rss - start.rss) / measured,
    wrapped: stats.wrapped,
    deleted: stats.deleted,
  }));
})();
