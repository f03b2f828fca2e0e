/* Compile-only check: plugin.h is plain, warning-free C11 (-std=c11
 * -pedantic -Werror), and the layout the host relies on holds.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <insgate/plugin.h>

#include <stddef.h>

/* The host reads abi_major and struct_size before trusting anything else. */
_Static_assert(offsetof(insgate_plugin, abi_major) == 0, "abi_major first");
_Static_assert(offsetof(insgate_plugin, struct_size) == 8, "struct_size at byte 8");
_Static_assert(offsetof(insgate_event, struct_size) == 0, "event struct_size first");
_Static_assert(offsetof(insgate_host_api, struct_size) == 0, "host api struct_size first");
_Static_assert(sizeof(insgate_status) == 4, "status is 32 bits");
_Static_assert(INSGATE_ERR_MIN_LEN >= 64, "room for a useful message");

static insgate_status check_create(const insgate_host_api *host, const char *config_json,
                                   insgate_instance **out, char *err, size_t err_len) {
  (void)config_json;
  (void)err;
  (void)err_len;
  host->log(host, INSGATE_LOG_INFO, "c11");
  *out = NULL;
  return INSGATE_INVALID_CONFIG;
}

static insgate_status check_deliver(insgate_instance *self, const insgate_event *ev, char *err,
                                    size_t err_len) {
  (void)self;
  (void)err;
  (void)err_len;
  if (!INSGATE_HAS_FIELD(ev, insgate_event, previous_ins)) return INSGATE_PERMANENT_FAILURE;
  switch (ev->kind) {
    case INSGATE_EVENT_QUALIFIEE:
    case INSGATE_EVENT_MISE_A_JOUR:
    case INSGATE_EVENT_INS_REMPLACEE:
    case INSGATE_EVENT_DECLASSEE:
      return ev->previous_ins != NULL ? INSGATE_OK : INSGATE_RETRY_LATER;
    default:
      return INSGATE_PERMANENT_FAILURE;
  }
}

static void check_destroy(insgate_instance *self) { (void)self; }

static const insgate_plugin descriptor = {
  INSGATE_PLUGIN_ABI_MAJOR, INSGATE_PLUGIN_ABI_MINOR, (uint32_t)sizeof(insgate_plugin),
  INSGATE_PLUGIN_THREAD_SAFE, "c11", "0", check_create, check_deliver, check_destroy,
  {NULL, NULL, NULL, NULL}};

const insgate_plugin *insgate_plugin_entry(uint32_t host_abi_major) {
  return host_abi_major == INSGATE_PLUGIN_ABI_MAJOR ? &descriptor : NULL;
}
