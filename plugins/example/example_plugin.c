/*
 * insgate example plugin: the smallest complete connector.
 *
 * It "delivers" an event by logging its kind and idempotency key through
 * the host (never the identity itself: logs must not carry identity data).
 * Copy it to start a real connector: replace example_deliver() with the
 * transfer to your system and map its failures to RETRY_LATER (transient)
 * or PERMANENT_FAILURE (refused for good).
 *
 * Configuration (the instance's `config:` subtree, received as JSON):
 *   { "greeting": "text" }   optional; anything else is accepted and ignored.
 * A real plugin should parse its JSON with a proper parser and answer
 * INSGATE_INVALID_CONFIG with a precise message on anything unexpected.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <insgate/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef EXAMPLE_VERSION
#define EXAMPLE_VERSION "1.0.0"
#endif

/* Per-instance state: everything create() received that deliver() needs.
 * No global mutable state, so the plugin can declare itself thread-safe. */
struct insgate_instance {
  const insgate_host_api *host; /* valid until destroy() returns */
  unsigned long delivered;
};

static void say(const insgate_instance *self, int32_t level, const char *msg) {
  self->host->log(self->host, level, msg);
}

/* [main-thread] */
static insgate_status example_create(const insgate_host_api *host, const char *config_json,
                                     insgate_instance **out, char *err, size_t err_len) {
  /* Every JSON text the host passes is an object or "null". */
  const char *p = config_json;
  while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') ++p;
  if (*p != '{' && strncmp(p, "null", 4) != 0) {
    snprintf(err, err_len, "configuration must be a JSON object");
    return INSGATE_INVALID_CONFIG;
  }
  insgate_instance *self = calloc(1, sizeof *self);
  if (self == NULL) {
    snprintf(err, err_len, "out of memory");
    return INSGATE_PERMANENT_FAILURE;
  }
  self->host = host;
  say(self, INSGATE_LOG_INFO, "example instance created");
  *out = self;
  return INSGATE_OK;
}

/* [outbox-thread] */
static insgate_status example_deliver(insgate_instance *self, const insgate_event *ev,
                                      char *err, size_t err_len) {
  const char *kind;
  switch (ev->kind) {
    case INSGATE_EVENT_QUALIFIEE: kind = "qualifiee"; break;
    case INSGATE_EVENT_MISE_A_JOUR: kind = "mise a jour"; break;
    case INSGATE_EVENT_INS_REMPLACEE: kind = "INS remplacee"; break;
    case INSGATE_EVENT_DECLASSEE: kind = "declassee"; break;
    default:
      /* Newer host, unknown kind: refuse rather than guess. */
      snprintf(err, err_len, "unsupported event kind %u", (unsigned)ev->kind);
      return INSGATE_PERMANENT_FAILURE;
  }
  /* A field added in a later minor version would be read only after
   *   if (INSGATE_HAS_FIELD(ev, insgate_event, that_field)) ...          */
  char line[160];
  snprintf(line, sizeof line, "event %s delivered (%s)", ev->idempotency_key, kind);
  say(self, INSGATE_LOG_INFO, line);
  ++self->delivered;
  return INSGATE_OK;
}

/* [main-thread] */
static void example_destroy(insgate_instance *self) {
  char line[80];
  snprintf(line, sizeof line, "example instance destroyed after %lu events", self->delivered);
  say(self, INSGATE_LOG_INFO, line);
  free(self);
}

static const insgate_plugin descriptor = {
  .abi_major = INSGATE_PLUGIN_ABI_MAJOR,
  .abi_minor = INSGATE_PLUGIN_ABI_MINOR,
  .struct_size = sizeof(insgate_plugin),
  .flags = INSGATE_PLUGIN_THREAD_SAFE,
  .name = "example",
  .version = EXAMPLE_VERSION,
  .create = example_create,
  .deliver = example_deliver,
  .destroy = example_destroy,
};

/* [main-thread] The only exported symbol. */
INSGATE_PLUGIN_EXPORT const insgate_plugin *insgate_plugin_entry(uint32_t host_abi_major) {
  return host_abi_major == INSGATE_PLUGIN_ABI_MAJOR ? &descriptor : NULL;
}
