/* A working test plugin that records what it receives.
 *
 * Config (compact JSON as the host writes it, no escapes in values):
 *   "output": file appended with "created", one block per event, "destroyed"
 *   "answer": "ok" (default) | "retry" | "permanent" | "bogus" (status 42)
 *   "null_instance": true  → create answers OK without an instance
 * Not thread-safe (flags 0), so the host serialises its deliver() calls. */
#include <string.h>

#include <insgate/plugin.h>
#include <stdio.h>
#include <stdlib.h>

struct insgate_instance {
  const insgate_host_api *host;
  FILE *out;
  char answer[16];
};

/* Not static: the version script alone must keep it out of the dynamic
 * symbol table (checked by the tests). */
int good_internal_helper(void);
int good_internal_helper(void) { return 7; }

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

static insgate_status good_create(const insgate_host_api *host, const char *config_json,
                                  insgate_instance **out, char *err, size_t err_len) {
  char path[512];
  if (!json_string(config_json, "output", path, sizeof path)) {
    snprintf(err, err_len, "missing \"output\" in configuration");
    return INSGATE_INVALID_CONFIG;
  }
  if (strstr(config_json, "\"null_instance\":true") != NULL) return INSGATE_OK;
  insgate_instance *self = calloc(1, sizeof *self);
  if (self == NULL) return INSGATE_PERMANENT_FAILURE;
  self->host = host;
  if (!json_string(config_json, "answer", self->answer, sizeof self->answer)) {
    strcpy(self->answer, "ok");
  }
  self->out = fopen(path, "a");
  if (self->out == NULL) {
    snprintf(err, err_len, "cannot open output file");
    free(self);
    return INSGATE_PERMANENT_FAILURE;
  }
  fprintf(self->out, "created host_abi=%u.%u\n", (unsigned)host->abi_major,
          (unsigned)host->abi_minor);
  fflush(self->out);
  host->log(host, INSGATE_LOG_INFO, "good instance created");
  host->log(host, 99, "level out of range");
  *out = self;
  return INSGATE_OK;
}

static insgate_status good_deliver(insgate_instance *self, const insgate_event *ev, char *err,
                                   size_t err_len) {
  FILE *f = self->out;
  fprintf(f, "struct_size_ok=%d\n", ev->struct_size >= sizeof(insgate_event));
  fprintf(f, "kind=%u\n", (unsigned)ev->kind);
  fprintf(f, "idempotency_key=%s\n", ev->idempotency_key);
  fprintf(f, "event_time=%s\n", ev->event_time);
  fprintf(f, "local_id=%s\n", ev->local_id);
  fprintf(f, "rniv_status=%s\n", ev->rniv_status);
  fprintf(f, "ins=%s|%s|%s\n", ev->ins.matricule, ev->ins.cle, ev->ins.oid);
  fprintf(f, "traits=%s|%s|%s|%s|%s|%s\n", ev->traits.nom_naissance, ev->traits.liste_prenoms,
          ev->traits.premier_prenom, ev->traits.sexe, ev->traits.date_naissance,
          ev->traits.lieu_naissance);
  if (ev->previous_ins != NULL) {
    fprintf(f, "previous_ins=%s|%s|%s\n", ev->previous_ins->matricule, ev->previous_ins->cle,
            ev->previous_ins->oid);
  } else {
    fprintf(f, "previous_ins=none\n");
  }
  fprintf(f, "err_len_ok=%d\n", err_len >= INSGATE_ERR_MIN_LEN && err[0] == '\0');
  fflush(f);
  if (strcmp(self->answer, "retry") == 0) {
    snprintf(err, err_len, "connector busy, try later");
    return INSGATE_RETRY_LATER;
  }
  if (strcmp(self->answer, "permanent") == 0) {
    snprintf(err, err_len, "connector refused the event");
    return INSGATE_PERMANENT_FAILURE;
  }
  if (strcmp(self->answer, "bogus") == 0) {
    snprintf(err, err_len, "made-up status");
    return 42;
  }
  return INSGATE_OK;
}

static void good_destroy(insgate_instance *self) {
  fprintf(self->out, "destroyed\n");
  fclose(self->out);
  free(self);
}

static const insgate_plugin descriptor = {
  .abi_major = INSGATE_PLUGIN_ABI_MAJOR,
  .abi_minor = INSGATE_PLUGIN_ABI_MINOR,
  .struct_size = sizeof(insgate_plugin),
  .flags = 0,
  .name = "good",
  .version = "1.2.3",
  .create = good_create,
  .deliver = good_deliver,
  .destroy = good_destroy,
};

const insgate_plugin *insgate_plugin_entry(uint32_t host_abi_major) {
  return host_abi_major == INSGATE_PLUGIN_ABI_MAJOR ? &descriptor : NULL;
}
