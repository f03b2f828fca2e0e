/* A test plugin that journals each delivery, for the fleet tests (issue 15):
 * several insgated processes append to one journal file, and the test reads
 * who delivered which event when.
 *
 * Config (compact JSON as the host writes it, no escapes in values):
 *   "journal":  file appended to (required); opened O_APPEND, one write()
 *               per line (< PIPE_BUF), so lines of several processes never
 *               interleave
 *   "instance": name of this daemon (required); written as <name>:<pid>, so
 *               each run of a restarted daemon is distinct
 *   "delai_ms": how long deliver() takes (default 0), to make kills land
 *               during deliveries
 * Lines (timestamps: CLOCK_REALTIME in ns, shared by the processes of one
 * machine):
 *   debut <instance>:<pid> <idempotency key> <ns>   when deliver() starts
 *   fin <instance>:<pid> <idempotency key> <ns>     before it answers OK
 * A "debut" without its "fin" is a delivery cut short (the process killed).
 * The journal holds idempotency keys only, never identity data.
 * Thread-safe (INSGATE_PLUGIN_THREAD_SAFE): no state changes after create. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <insgate/plugin.h>

struct insgate_instance {
  int fd;
  char who[96];
  long delay_ms;
};

/* Copies the string value of "key" from compact JSON; 0 when absent. */
static int json_string(const char *json, const char *key, char *buf, size_t len) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  const char *p = strstr(json, pattern);
  if (p == NULL) return 0;
  p += strlen(pattern);
  const char *end = strchr(p, '"');
  if (end == NULL || (size_t)(end - p) >= len) return 0;
  memcpy(buf, p, (size_t)(end - p));
  buf[end - p] = '\0';
  return 1;
}

static long json_number(const char *json, const char *key, long fallback) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char *p = strstr(json, pattern);
  return p == NULL ? fallback : strtol(p + strlen(pattern), NULL, 10);
}

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* One line, one write(): atomic with respect to the other writers. */
static int journal(const insgate_instance *self, const char *what, const char *key) {
  char line[256];
  int n = snprintf(line, sizeof line, "%s %s %s %lld\n", what, self->who, key, now_ns());
  if (n <= 0 || (size_t)n >= sizeof line) return -1;
  return write(self->fd, line, (size_t)n) == n ? 0 : -1;
}

static insgate_status journal_create(const insgate_host_api *host, const char *config_json,
                                     insgate_instance **out, char *err, size_t err_len) {
  (void)host;
  char path[512], name[64];
  if (!json_string(config_json, "journal", path, sizeof path) ||
      !json_string(config_json, "instance", name, sizeof name)) {
    snprintf(err, err_len, "\"journal\" and \"instance\" are required");
    return INSGATE_INVALID_CONFIG;
  }
  insgate_instance *self = calloc(1, sizeof *self);
  if (self == NULL) return INSGATE_PERMANENT_FAILURE;
  self->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (self->fd < 0) {
    snprintf(err, err_len, "cannot open the journal: %s", strerror(errno));
    free(self);
    return INSGATE_INVALID_CONFIG;
  }
  snprintf(self->who, sizeof self->who, "%s:%ld", name, (long)getpid());
  self->delay_ms = json_number(config_json, "delai_ms", 0);
  *out = self;
  return INSGATE_OK;
}

static insgate_status journal_deliver(insgate_instance *self, const insgate_event *ev, char *err,
                                      size_t err_len) {
  if (journal(self, "debut", ev->idempotency_key) != 0) {
    snprintf(err, err_len, "journal not written");
    return INSGATE_RETRY_LATER;
  }
  if (self->delay_ms > 0) {
    struct timespec d = {self->delay_ms / 1000, (self->delay_ms % 1000) * 1000000L};
    while (nanosleep(&d, &d) != 0 && errno == EINTR) {
    }
  }
  if (journal(self, "fin", ev->idempotency_key) != 0) {
    snprintf(err, err_len, "journal not written");
    return INSGATE_RETRY_LATER;
  }
  return INSGATE_OK;
}

static void journal_destroy(insgate_instance *self) {
  close(self->fd);
  free(self);
}

static const insgate_plugin descriptor = {
  .abi_major = INSGATE_PLUGIN_ABI_MAJOR,
  .abi_minor = INSGATE_PLUGIN_ABI_MINOR,
  .struct_size = sizeof(insgate_plugin),
  .flags = INSGATE_PLUGIN_THREAD_SAFE,
  .name = "journal",
  .version = "1.0.0",
  .create = journal_create,
  .deliver = journal_deliver,
  .destroy = journal_destroy,
};

const insgate_plugin *insgate_plugin_entry(uint32_t host_abi_major) {
  return host_abi_major == INSGATE_PLUGIN_ABI_MAJOR ? &descriptor : NULL;
}
