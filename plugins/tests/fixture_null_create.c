/* Broken on purpose: no create function. */
#include "fixture_stubs.h"

static const insgate_plugin descriptor = {
  .abi_major = INSGATE_PLUGIN_ABI_MAJOR,
  .abi_minor = INSGATE_PLUGIN_ABI_MINOR,
  .struct_size = sizeof(insgate_plugin),
  .name = "null_create",
  .version = "0",
  .create = NULL,
  .deliver = stub_deliver,
  .destroy = stub_destroy,
};

const insgate_plugin *insgate_plugin_entry(uint32_t host_abi_major) {
  (void)host_abi_major;
  return &descriptor;
}
