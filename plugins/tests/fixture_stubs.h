/* Shared pieces of the deliberately broken test plugins (one per .c file).
 * Each fixture breaks exactly one rule of plugin.h; see plugin_loader_test.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef INSGATE_FIXTURE_STUBS_H
#define INSGATE_FIXTURE_STUBS_H

#include <insgate/plugin.h>
#include <stdio.h>
#include <stdlib.h>

struct insgate_instance {
  int unused;
};

/* Not static (each fixture uses only some); the version script keeps them
 * local. One fixture per shared object, so no clash. */
insgate_status stub_create(const insgate_host_api *host, const char *config_json,
                           insgate_instance **out, char *err, size_t err_len);
insgate_status stub_deliver(insgate_instance *self, const insgate_event *event, char *err,
                            size_t err_len);
void stub_destroy(insgate_instance *self);

insgate_status stub_create(const insgate_host_api *host, const char *config_json,
                                  insgate_instance **out, char *err, size_t err_len) {
  (void)host;
  (void)config_json;
  (void)err;
  (void)err_len;
  *out = calloc(1, sizeof **out);
  return *out != NULL ? INSGATE_OK : INSGATE_PERMANENT_FAILURE;
}

insgate_status stub_deliver(insgate_instance *self, const insgate_event *event, char *err,
                                   size_t err_len) {
  (void)self;
  (void)event;
  (void)err;
  (void)err_len;
  return INSGATE_OK;
}

void stub_destroy(insgate_instance *self) { free(self); }

#endif
