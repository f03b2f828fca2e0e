# One static library per area (daemon/src/<area>), then the executables.

add_library(insgate_util STATIC src/util/ids.cpp)
target_include_directories(insgate_util PUBLIC ${SRC})

find_package(ICU REQUIRED COMPONENTS uc i18n)
add_library(insgate_identity STATIC src/identity/matricule.cpp src/identity/normalise.cpp
  src/identity/traits.cpp src/identity/rniv.cpp src/identity/representations.cpp
  src/identity/cog_pays.cpp)
target_include_directories(insgate_identity PUBLIC ${SRC})
target_link_libraries(insgate_identity PUBLIC nlohmann_json::nlohmann_json
  PRIVATE ICU::uc ICU::i18n)

add_library(insgate_config STATIC src/config/config.cpp src/config/pem_files.cpp)
target_include_directories(insgate_config PUBLIC ${SRC})
target_link_libraries(insgate_config PUBLIC yaml-cpp insgate_plugin_host PRIVATE OpenSSL::Crypto)

add_library(insgate_insi STATIC
  src/insi/tls_setup.cpp src/insi/insi_client.cpp src/insi/recherche.cpp
  src/insi/fault_policy.cpp src/insi/circuit_breaker.cpp src/insi/verification.cpp
  src/insi/recherche_vitale.cpp src/insi/rejeu_transport.cpp)
target_link_libraries(insgate_insi PUBLIC insgate_insi_codec insgate_config insgate_util
  OpenSSL::SSL OpenSSL::Crypto Threads::Threads)

pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
# The local API: listeners and sessions, the router and its route table, one
# route_<resource>.cpp per resource (decode -> act -> encode), shared request
# decoding and answers.
add_library(insgate_api STATIC
  src/api/problem.cpp src/api/recherche_input.cpp src/api/recherche_answer.cpp
  src/api/router.cpp src/api/route_table.cpp src/api/route_context.cpp
  src/api/request_checks.cpp src/api/structures.cpp
  src/api/route_recherche.cpp src/api/route_recherche_vitale.cpp src/api/route_verification.cpp
  src/api/route_qualification.cpp src/api/route_outbox.cpp src/api/route_stats_mensuel.cpp
  src/api/route_health.cpp
  src/api/http_exchange.cpp src/api/session_registry.cpp
  src/api/unix_server.cpp src/api/tcp_server.cpp src/api/listener_tls.cpp src/api/api_server.cpp
  src/api/state_gateway.cpp src/api/query_string.cpp src/api/state_gauges.cpp
  src/api/insi_health.cpp src/api/request_reader.cpp)
find_package(LibXml2 REQUIRED)
target_link_libraries(insgate_api PUBLIC insgate_insi insgate_identity insgate_state
  insgate_metrics insgate_stats
  nlohmann_json::nlohmann_json spdlog::spdlog LibXml2::LibXml2 PkgConfig::SYSTEMD)

add_library(insgate_app STATIC src/app/controller.cpp src/app/state_services.cpp
  src/app/outbox_worker.cpp src/app/event_loop.cpp src/app/fd_budget.cpp)
target_link_libraries(insgate_app PUBLIC insgate_api insgate_plugin_host PkgConfig::SYSTEMD)

add_executable(insgated main.cpp)
target_link_libraries(insgated PRIVATE insgate_app Boost::program_options)

add_library(insgate_localclient STATIC src/net/local_http_client.cpp)
target_include_directories(insgate_localclient PUBLIC ${SRC})
target_link_libraries(insgate_localclient PUBLIC Threads::Threads OpenSSL::SSL OpenSSL::Crypto)

# insgatectl: its sub-commands (one per route a person uses) and the readable
# rendering of the answers, as a library its unit tests link; main.cpp parses.
add_library(insgate_ctl STATIC ctl/commands.cpp ctl/render.cpp)
target_include_directories(insgate_ctl PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(insgate_ctl PUBLIC insgate_localclient Boost::program_options
  nlohmann_json::nlohmann_json OpenSSL::Crypto)
add_executable(insgatectl ctl/main.cpp)
target_link_libraries(insgatectl PRIVATE insgate_ctl)

# DMP connector plugins: loader of the C ABI (plugins/include/insgate/plugin.h)
# and YAML → JSON for their configuration subtrees.
add_library(insgate_plugin_host STATIC src/plugin_host/plugin_loader.cpp
  src/plugin_host/yaml_json.cpp)
target_include_directories(insgate_plugin_host PUBLIC ${SRC} ${PROJECT_SOURCE_DIR}/plugins/include)
target_link_libraries(insgate_plugin_host PUBLIC yaml-cpp nlohmann_json::nlohmann_json
  PRIVATE spdlog::spdlog ${CMAKE_DL_LIBS})

# Durable state (issue 5): SQLite store, cache of INSi answers, identities,
# outbox rows, monthly activity. Headers only from insgate_insi (no link).
find_package(SQLiteCpp REQUIRED)
add_library(insgate_state STATIC src/state/records.cpp src/state/sqlite_schema.cpp
  src/state/sqlite_store.cpp src/state/sqlite_tx.cpp src/state/sqlite_outbox.cpp
  src/state/hashing.cpp src/state/resultat_json.cpp src/state/events.cpp
  src/state/identities.cpp src/state/cache.cpp src/state/cache_memory.cpp src/state/activity.cpp
  src/state/qualification_rate.cpp
  src/state/pg_schema.cpp src/state/pg_statements.cpp src/state/pg_pool.cpp src/state/pg_tx.cpp
  src/state/pg_store.cpp src/state/pg_outbox.cpp src/state/outbox_lease.cpp)
target_include_directories(insgate_state PUBLIC ${SRC})
# Fleet mode (issue 15): the PostgreSQL store, through libpqxx (Debian libpqxx-dev).
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET GLOBAL libpqxx)
target_link_libraries(insgate_state PUBLIC insgate_identity insgate_util
  nlohmann_json::nlohmann_json OpenSSL::Crypto PRIVATE SQLiteCpp Boost::headers PkgConfig::PQXX)

# Metrics (issue 6): one prometheus-cpp registry, families built once, typed
# recorders; the scrape listener (prometheus::Exposer). insi_outcome.hpp is
# header only, for code that already links insgate_insi.
find_package(prometheus-cpp CONFIG REQUIRED)
add_library(insgate_metrics STATIC src/metrics/metrics.cpp src/metrics/metrics_server.cpp)
target_include_directories(insgate_metrics PUBLIC ${SRC})
target_link_libraries(insgate_metrics PUBLIC prometheus-cpp::core
  PRIVATE prometheus-cpp::pull)

# Monthly INSi activity report (issue 6): FINESS → département, the rows,
# CSV and JSON of the regional usage file. Headers only from insgate_state.
# The .xlsx form through libxlsxwriter (Debian libxlsxwriter-dev).
pkg_check_modules(XLSXWRITER REQUIRED IMPORTED_TARGET xlsxwriter)
add_library(insgate_stats STATIC src/stats/departements.cpp src/stats/monthly_report.cpp
  src/stats/monthly_report_xlsx.cpp)
target_include_directories(insgate_stats PUBLIC ${SRC})
target_link_libraries(insgate_stats PUBLIC nlohmann_json::nlohmann_json
  PRIVATE PkgConfig::XLSXWRITER)
