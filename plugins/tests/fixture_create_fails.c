/* Refuses every configuration. With {"flood":true} it fills the whole error
 * buffer without a terminating NUL, as a careless plugin would. */
#include <string.h>

#include "fixture_stubs.h"

static insgate_status refuse(const insgate_host_api *host, const char *config_json,
                             insgate_instance **out, char *err, size_t err_len) {
  (void)host;
  (void)out;
  if (strstr(config_json, "\"flood\":true") != NULL) {
    memset(err, 'x', err_len);
    return INSGATE_INVALID_CONFIG;
  }
  snprintf(err, err_len, "missing \"url\" in configuration");
  return INSGATE_INVALID_CONFIG;
}

static const insgate_plugin descriptor = {
  .abi_major = INSGATE_PLUGIN_ABI_MAJOR,
  .abi_minor = INSGATE_PLUGIN_ABI_MINOR,
  .struct_size = sizeof(insgate_plugin),
  .name = "create_fails",
  .version = "0",
  .create = refuse,
  .deliver = stub_deliver,
  .destroy = stub_destroy,
};

const insgate_plugin *insgate_plugin_entry(uint32_t host_abi_major) {
  (void)host_abi_major;
  return &descriptor;
}
