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
 * callback through a small record (the original callback and hint), and a
 * table of live wrap references remembers which were finalized; what is
 * finalized and still in the table at exit leaked.
 *
 * At exit (a destructor, which the dynamic linker runs for the audit
 * namespace too) each process that loaded an addon writes one file,
 * $NAPI_FIX_PROBE_DIR/<pid>.tsv: one line per addon,
 * path, wrapped, wrap references, finalized, references deleted, removed,
 * leaked. napi-fix sums them per path.
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

/* Live wrap references: open addressing, keyed by the napi_ref pointer.
 * A tombstone keeps probe chains intact after a delete. */
struct entry {
  napi_ref ref;
  unsigned slot;
  int finalized;
};
static struct entry *table;
static size_t capacity, filled; /* filled counts tombstones too */
static const napi_ref TOMB = (napi_ref)1;

static size_t hash(napi_ref ref) { return ((uintptr_t)ref >> 4) * 11400714819323198485ull; }

static struct entry *find(napi_ref ref) {
  if (!capacity) return NULL;
  for (size_t i = hash(ref) & (capacity - 1);; i = (i + 1) & (capacity - 1)) {
    if (table[i].ref == ref) return &table[i];
    if (!table[i].ref) return NULL;
  }
}

static void insert(napi_ref ref, unsigned slot);

static void grow(void) {
  struct entry *old = table;
  size_t old_capacity = capacity;
  capacity = capacity ? capacity * 2 : 1 << 16;
  table = calloc(capacity, sizeof *table);
  filled = 0;
  for (size_t i = 0; i < old_capacity; i++)
    if (old[i].ref && old[i].ref != TOMB) {
      insert(old[i].ref, old[i].slot);
      find(old[i].ref)->finalized = old[i].finalized;
    }
  free(old);
}

static void insert(napi_ref ref, unsigned slot) {
  if ((filled + 1) * 2 > capacity) grow();
  size_t i = hash(ref) & (capacity - 1);
  while (table[i].ref && table[i].ref != TOMB && table[i].ref != ref) i = (i + 1) & (capacity - 1);
  if (!table[i].ref) filled++;
  table[i] = (struct entry){ref, slot, 0};
}

/* The finalize callback's stand-in: its hint is one of these. */
struct hop {
  napi_finalize finalize;
  void *hint;
  napi_ref ref;
  unsigned slot;
};

static void counted_finalize(napi_env env, void *data, void *hint) {
  struct hop hop = *(struct hop *)hint;
  free(hint);
  pthread_mutex_lock(&lock);
  addons[hop.slot].finalized++;
  struct entry *entry = hop.ref ? find(hop.ref) : NULL;
  if (entry) entry->finalized = 1;
  pthread_mutex_unlock(&lock);
  if (hop.finalize) hop.finalize(env, data, hop.hint);
}

static napi_status counted_wrap(unsigned slot, napi_env env, napi_value object, void *native, napi_finalize finalize,
                                void *hint, napi_ref *result) {
  struct hop *hop = malloc(sizeof *hop);
  if (!hop) return real_wrap(env, object, native, finalize, hint, result);
  *hop = (struct hop){finalize, hint, NULL, slot};
  /* Not under the lock: a GC during the call may run other finalizers
   * synchronously. This object's own finalizer cannot run before the call
   * returns (the caller holds the object), nor on another thread. */
  napi_status status = real_wrap(env, object, native, counted_finalize, hop, result);
  pthread_mutex_lock(&lock);
  if (status == 0) {
    addons[slot].wrapped++;
    if (result && *result) {
      addons[slot].refs++;
      hop->ref = *result;
      insert(*result, slot);
    }
  }
  pthread_mutex_unlock(&lock);
  if (status != 0) free(hop);
  return status;
}

static napi_status counted_delete(napi_env env, napi_ref ref) {
  pthread_mutex_lock(&lock);
  struct entry *entry = find(ref);
  if (entry) {
    addons[entry->slot].deleted++;
    entry->ref = TOMB;
  }
  pthread_mutex_unlock(&lock);
  return real_delete(env, ref);
}

static napi_status counted_remove(unsigned slot, napi_env env, napi_value object, void **result) {
  napi_status status = real_remove(env, object, result);
  if (status == 0) __atomic_add_fetch(&addons[slot].removed, 1, __ATOMIC_RELAXED);
  return status;
}

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

__attribute__((destructor)) static void write_counts(void) {
  const char *folder = getenv("NAPI_FIX_PROBE_DIR");
  if (!folder || !used) return;
  unsigned long long leaked[SLOTS] = {0};
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < capacity; i++)
    if (table[i].ref && table[i].ref != TOMB && table[i].finalized) leaked[table[i].slot]++;
  char path[4096], partial[4200];
  snprintf(path, sizeof path, "%s/%ld.tsv", folder, (long)getpid());
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
