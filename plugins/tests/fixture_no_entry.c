/* Broken on purpose: exports no insgate_plugin_entry (its only function has
 * another name and the version script keeps it local). */
int insgate_plugin_entri(void);
int insgate_plugin_entri(void) { return 0; }
