/* napi-fix probe: an LD_AUDIT library that counts each native addon's
 * napi_ref lifecycle without rebuilding it.
 *
 * The dynamic linker asks la_objopen about every object it loads: a `.node`
 * file (an addon) is marked LA_FLG_BINDFROM, so its symbol bindings are
 * reported to la_symbind64; every object is marked LA_FLG_BINDTO, so a
 * binding to Node-API is reported wherever Node-API lives (the node
 * executable itself in official builds, libnode.so in Debian's).
 * la_symbind64 hands the addon counting wrappers for napi_wrap,
 * napi_delete_reference and napi_remove_wrap instead of the real functions.
 *
 * The leak's signature is exact: an object wrapped with a reference
 * (napi_wrap's `result`) is finalized, and that reference is never passed to
 * napi_delete_reference. The wrapper for napi_wrap routes the finalize
 * callback through a small record (the original callback, its hint, the
 * reference). A clean ObjectWrap deletes the reference inside its finalizer:
 * that delete is matched against the record of the finalizer running on
 * this thread, at no cost. A reference still alive when its finalizer
 * returns goes into a table of pending references; a later delete takes it
 * out; what is left in the table at exit leaked. (A table of every live
 * reference, tried first, cost two cache misses per object: 1.9x.)
 *
 * At exit (a destructor, which the dynamic linker runs for the audit
 * namespace too) each process that loaded an addon writes one file,
 * $NAPI_FIX_PROBE_DIR/<pid>.tsv: one line per addon,
 * path, wrapped, wrap references, finalized, references deleted, removed,
 * leaked. napi-fix sums them per path.
 *
 * Compiled with -DNAPI_FIX_LINKED, the same counters are an object file to
 * link into an addon instead (`napi-fix probe --rebuild`, where there is no
 * LD_AUDIT): see the NAPI_FIX_LINKED section below.
 */
#define _GNU_SOURCE
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int napi_status; /* an enum in node_api_types.h; napi_ok == 0 */
typedef void *napi_env, *napi_value, *napi_ref;
typedef void (*napi_finalize)(napi_env env, void *data, void *hint);

#define SLOTS 64 /* addons counted per process; more share the last slot */

struct counts {
  char path[4096];
  unsigned long long wrapped, refs, finalized, deleted, removed;
};
static struct counts addons[SLOTS];
static unsigned used; /* slots taken, under `lock` */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static napi_status (*real_wrap)(napi_env, napi_value, void *, napi_finalize, void *, napi_ref *);
static napi_status (*real_delete)(napi_env, napi_ref);
static napi_status (*real_remove)(napi_env, napi_value, void **);

/* Pending references (finalized, not yet deleted): open addressing, keyed by
 * the napi_ref pointer. A tombstone keeps probe chains intact after a delete. */
struct entry {
  napi_ref ref;
  unsigned slot;
};
static struct entry *table;
static size_t capacity, filled, live; /* filled counts tombstones too */
static const napi_ref TOMB = (napi_ref)1;

static size_t hash(napi_ref ref) {
  uint64_t h = (uintptr_t)ref >> 4;
  h ^= h >> 33, h *= 0xff51afd7ed558ccdull, h ^= h >> 33; /* low bits of a product alone would be poor */
  return (size_t)h;
}

static struct entry *find(napi_ref ref) {
  if (!capacity) return NULL;
  for (size_t i = hash(ref) & (capacity - 1);; i = (i + 1) & (capacity - 1)) {
    if (table[i].ref == ref) return &table[i];
    if (!table[i].ref) return NULL;
  }
}

static void insert(napi_ref ref, unsigned slot);

/* Rehashed when half full: at the same size when tombstones were most of
 * it (a clean addon deletes every reference it wraps), doubled otherwise. */
static int grow(void) {
  struct entry *old = table;
  size_t old_capacity = capacity, size = !capacity ? 1 << 16 : live * 4 > capacity ? capacity * 2 : capacity;
  struct entry *fresh = calloc(size, sizeof *fresh);
  if (!fresh) return 0; /* out of memory: keep filling the old table while it has room */
  table = fresh, capacity = size;
  filled = live = 0;
  for (size_t i = 0; i < old_capacity; i++)
    if (old[i].ref && old[i].ref != TOMB) insert(old[i].ref, old[i].slot);
  free(old);
  return 1;
}

static void insert(napi_ref ref, unsigned slot) {
  if ((filled + 1) * 2 > capacity && !grow() && filled + 1 >= capacity) return; /* not tracked: never "leaked" */
  size_t i = hash(ref) & (capacity - 1);
  while (table[i].ref && table[i].ref != TOMB && table[i].ref != ref) i = (i + 1) & (capacity - 1);
  if (!table[i].ref) filled++;
  if (table[i].ref != ref) live++;
  table[i] = (struct entry){ref, slot};
}

/* The finalize callback's stand-in: its hint is one of these. */
struct hop {
  napi_finalize finalize;
  void *hint;
  napi_ref ref;
  unsigned slot;
  struct hop *next; /* on the free list */
};

/* Hops come from blocks kept on a free list (under `lock`), not one malloc each. */
static struct hop *spare;

static struct hop *take_hop(void) {
  if (!spare) {
    enum { BLOCK = 4096 };
    struct hop *block = malloc(BLOCK * sizeof *block);
    if (!block) return NULL;
    for (int i = 0; i < BLOCK; i++) block[i].next = i + 1 < BLOCK ? &block[i + 1] : NULL;
    spare = block;
  }
  struct hop *hop = spare;
  spare = hop->next;
  return hop;
}

/* The finalizer running on this thread, and whether its reference was deleted yet. */
struct finalizing {
  napi_ref ref;
  unsigned slot;
  int deleted;
};
static __thread struct finalizing *finalizing;

static void count(unsigned long long *counter) { __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED); }

static void counted_finalize(napi_env env, void *data, void *hint) {
  struct hop *hop = hint;
  struct finalizing now = {hop->ref, hop->slot, 0}, *outer = finalizing;
  napi_finalize finalize = hop->finalize;
  void *original = hop->hint;
  pthread_mutex_lock(&lock);
  hop->next = spare, spare = hop;
  pthread_mutex_unlock(&lock);
  count(&addons[now.slot].finalized);
  finalizing = &now;
  if (finalize) finalize(env, data, original);
  finalizing = outer;
  if (now.ref && !now.deleted) {
    pthread_mutex_lock(&lock);
    insert(now.ref, now.slot);
    pthread_mutex_unlock(&lock);
  }
}

static napi_status counted_wrap(unsigned slot, napi_env env, napi_value object, void *native, napi_finalize finalize,
                                void *hint, napi_ref *result) {
  pthread_mutex_lock(&lock);
  struct hop *hop = take_hop();
  pthread_mutex_unlock(&lock);
  if (!hop) return real_wrap(env, object, native, finalize, hint, result);
  *hop = (struct hop){finalize, hint, NULL, slot, NULL};
  /* Not under the lock: a GC during the call may run other finalizers
   * synchronously. This object's own finalizer cannot run before the call
   * returns (the caller holds the object), nor on another thread. */
  napi_status status = real_wrap(env, object, native, counted_finalize, hop, result);
  if (status != 0) {
    pthread_mutex_lock(&lock);
    hop->next = spare, spare = hop;
    pthread_mutex_unlock(&lock);
    return status;
  }
  count(&addons[slot].wrapped);
  if (result && *result) {
    count(&addons[slot].refs);
    hop->ref = *result;
  }
  return status;
}

static napi_status counted_delete(napi_env env, napi_ref ref) {
  if (finalizing && finalizing->ref == ref && !finalizing->deleted) {
    finalizing->deleted = 1; /* deleted by its own finalizer: a clean ObjectWrap */
    count(&addons[finalizing->slot].deleted);
  } else if (__atomic_load_n(&live, __ATOMIC_RELAXED)) {
    pthread_mutex_lock(&lock);
    struct entry *entry = find(ref);
    if (entry) {
      addons[entry->slot].deleted++;
      entry->ref = TOMB;
      live--;
    }
    pthread_mutex_unlock(&lock);
  }
  return real_delete(env, ref);
}

static napi_status counted_remove(unsigned slot, napi_env env, napi_value object, void **result) {
  napi_status status = real_remove(env, object, result);
  if (status == 0) count(&addons[slot].removed);
  return status;
}

#ifdef NAPI_FIX_LINKED
/* `napi-fix probe --rebuild`: this file compiled with -DNAPI_FIX_LINKED and
 * linked into the addon itself with -Wl,--wrap=napi_wrap (and the other two),
 * for where there is no LD_AUDIT (musl). The linker routes the addon's calls
 * to the __wrap_ functions; the addon is slot 0; its path comes from dladdr. */
#include <dlfcn.h>
#define HIDDEN __attribute__((visibility("hidden")))
napi_status __real_napi_wrap(napi_env, napi_value, void *, napi_finalize, void *, napi_ref *);
napi_status __real_napi_delete_reference(napi_env, napi_ref);
napi_status __real_napi_remove_wrap(napi_env, napi_value, void **);

static void linked(void) {
  if (used) return;
  real_wrap = __real_napi_wrap, real_delete = __real_napi_delete_reference, real_remove = __real_napi_remove_wrap;
  Dl_info info;
  snprintf(addons[0].path, sizeof addons[0].path, "%s",
           dladdr((void *)linked, &info) && info.dli_fname ? info.dli_fname : "(unknown addon)");
  used = 1;
}
HIDDEN napi_status __wrap_napi_wrap(napi_env e, napi_value o, void *p, napi_finalize f, void *h, napi_ref *r) {
  linked();
  return counted_wrap(0, e, o, p, f, h, r);
}
HIDDEN napi_status __wrap_napi_delete_reference(napi_env e, napi_ref r) {
  linked();
  return counted_delete(e, r);
}
HIDDEN napi_status __wrap_napi_remove_wrap(napi_env e, napi_value o, void **r) {
  linked();
  return counted_remove(0, e, o, r);
}
#define FILE_NAME "%s/%ld-%p.tsv", folder, (long)getpid(), (void *)addons /* one file per linked addon */
#else
/* One entry point per slot for the calls that must know their addon. */
/* Named in octal (wrap_17 is slot 017 == 15): the names and the slots come from
 * the same two digits. */
#define SLOT_FUNCTIONS(n)                                                                                    \
  static napi_status wrap_##n(napi_env e, napi_value o, void *p, napi_finalize f, void *h, napi_ref *r) {   \
    return counted_wrap(0##n, e, o, p, f, h, r);                                                             \
  }                                                                                                          \
  static napi_status remove_##n(napi_env e, napi_value o, void **r) { return counted_remove(0##n, e, o, r); }
#define EIGHT(m) SLOT_FUNCTIONS(m##0) SLOT_FUNCTIONS(m##1) SLOT_FUNCTIONS(m##2) SLOT_FUNCTIONS(m##3) \
  SLOT_FUNCTIONS(m##4) SLOT_FUNCTIONS(m##5) SLOT_FUNCTIONS(m##6) SLOT_FUNCTIONS(m##7)
EIGHT(0) EIGHT(1) EIGHT(2) EIGHT(3) EIGHT(4) EIGHT(5) EIGHT(6) EIGHT(7)
#define NAMES(prefix, m) prefix##m##0, prefix##m##1, prefix##m##2, prefix##m##3, \
  prefix##m##4, prefix##m##5, prefix##m##6, prefix##m##7
#define ALL(prefix) NAMES(prefix, 0), NAMES(prefix, 1), NAMES(prefix, 2), NAMES(prefix, 3), \
  NAMES(prefix, 4), NAMES(prefix, 5), NAMES(prefix, 6), NAMES(prefix, 7)
static void *const wraps[SLOTS] = {ALL(wrap_)};
static void *const removes[SLOTS] = {ALL(remove_)};

unsigned int la_version(unsigned int version) { return version; }

static int is_addon(const char *name) {
  size_t length = name ? strlen(name) : 0;
  return length > 5 && strcmp(name + length - 5, ".node") == 0;
}

unsigned int la_objopen(struct link_map *map, Lmid_t lmid, uintptr_t *cookie) {
  (void)lmid;
  if (!is_addon(map->l_name)) return LA_FLG_BINDTO;
  pthread_mutex_lock(&lock);
  unsigned slot = used < SLOTS ? used++ : SLOTS - 1;
  if (!addons[slot].path[0]) snprintf(addons[slot].path, sizeof addons[slot].path, "%s", map->l_name);
  pthread_mutex_unlock(&lock);
  *cookie = slot;
  return LA_FLG_BINDFROM | LA_FLG_BINDTO;
}

uintptr_t la_symbind64(Elf64_Sym *sym, unsigned int ndx, uintptr_t *refcook, uintptr_t *defcook, unsigned int *flags,
                       const char *name) {
  (void)ndx, (void)defcook, (void)flags;
  uintptr_t real = sym->st_value;
  unsigned slot = (unsigned)*refcook;
  if (slot >= SLOTS || strncmp(name, "napi_", 5) != 0) return real;
  if (strcmp(name, "napi_wrap") == 0) {
    real_wrap = (void *)real;
    return (uintptr_t)wraps[slot];
  }
  if (strcmp(name, "napi_delete_reference") == 0) {
    real_delete = (void *)real;
    return (uintptr_t)counted_delete;
  }
  if (strcmp(name, "napi_remove_wrap") == 0) {
    real_remove = (void *)real;
    return (uintptr_t)removes[slot];
  }
  return real;
}

#define FILE_NAME "%s/%ld.tsv", folder, (long)getpid()
#endif

__attribute__((destructor)) static void write_counts(void) {
  const char *folder = getenv("NAPI_FIX_PROBE_DIR");
  if (!folder || !used) return;
  unsigned long long leaked[SLOTS] = {0};
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < capacity; i++)
    if (table[i].ref && table[i].ref != TOMB) leaked[table[i].slot]++;
  char path[4096], partial[4200];
  snprintf(path, sizeof path, FILE_NAME);
  snprintf(partial, sizeof partial, "%s.part", path);
  FILE *out = fopen(partial, "w");
  if (out) {
    for (unsigned i = 0; i < used; i++)
      fprintf(out, "%s\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\n", addons[i].path, addons[i].wrapped, addons[i].refs,
              addons[i].finalized, addons[i].deleted, addons[i].removed, leaked[i]);
    /* Renamed when complete: a reader never sees half a file. */
    if (fclose(out) == 0) rename(partial, path);
    else unlink(partial);
  }
  pthread_mutex_unlock(&lock);
}
