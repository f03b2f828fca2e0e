/* Broken on purpose: the entry returns NULL (refuses every host major). */
#include <insgate/plugin.h>

const insgate_plugin *insgate_plugin_entry(uint32_t host_abi_major) {
  (void)host_abi_major;
  return NULL;
}
