/* Broken on purpose: built for the next ABI major. */
#include "fixture_stubs.h"

static const insgate_plugin descriptor = {
  .abi_major = INSGATE_PLUGIN_ABI_MAJOR + 1,
  .abi_minor = 0,
  .struct_size = sizeof(insgate_plugin),
  .name = "wrong_major",
  .version = "0",
  .create = stub_create,
  .deliver = stub_deliver,
  .destroy = stub_destroy,
};

const insgate_plugin *insgate_plugin_entry(uint32_t host_abi_major) {
  (void)host_abi_major;
  return &descriptor;
}
