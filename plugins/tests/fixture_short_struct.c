/* Broken on purpose: struct_size stops before the function pointers, as a
 * descriptor from an older, shorter layout would. */
#include <stddef.h>

#include "fixture_stubs.h"

static const insgate_plugin descriptor = {
  .abi_major = INSGATE_PLUGIN_ABI_MAJOR,
  .abi_minor = 0,
  .struct_size = offsetof(insgate_plugin, create),
  .name = "short_struct",
  .version = "0",
  .create = stub_create,
  .deliver = stub_deliver,
  .destroy = stub_destroy,
};

const insgate_plugin *insgate_plugin_entry(uint32_t host_abi_major) {
  (void)host_abi_major;
  return &descriptor;
}
