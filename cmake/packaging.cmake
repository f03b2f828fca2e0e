# insgate — installation layout (cmake --install) and the Debian packages
# (cpack -G DEB). Paths follow the systemd unit: /usr/bin/insgated,
# /etc/insgate/insgate.yaml, /usr/lib/insgate/plugins/, /var/lib/insgate.
# Two components, two packages: `insgate` (the daemon, its tools and the
# bundled plugins; CMAKE_INSTALL_DEFAULT_COMPONENT_NAME in CMakeLists.txt)
# and `insgate-dev` (plugin.h, plugin_support.hpp and the plugins' version
# script, to build a DMP connector: plugins/CMakeLists.txt).
include(GNUInstallDirs)

install(TARGETS insgated insgatectl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES systemd/insgate.service systemd/insgate.socket
        DESTINATION lib/systemd/system)
install(FILES systemd/insgate.sysusers DESTINATION lib/sysusers.d RENAME insgate.conf)
# The example configuration, as a conffile the package never overwrites. The
# directory is 0750 as the unit's ConfigurationDirectoryMode says; postinst
# gives it to group insgate (the service reads it, other users do not).
install(DIRECTORY DESTINATION /etc/insgate
        DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE)
install(FILES config/insgate.yaml DESTINATION /etc/insgate)
install(DIRECTORY DESTINATION lib/insgate/plugins)
install(FILES config/prometheus/insgate-alerts.yml config/grafana/insgate-dashboard.json
        DESTINATION ${CMAKE_INSTALL_DATADIR}/insgate)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
# Debian policy 12.5 and 12.7: copyright and changelog (gzip -9n) in each
# package's /usr/share/doc/<package>/ (the GPL text is in common-licenses).
set(INSGATE_CHANGELOG_GZ ${CMAKE_BINARY_DIR}/packaging/changelog.gz)
add_custom_command(OUTPUT ${INSGATE_CHANGELOG_GZ}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND gzip -9n -c ${PROJECT_SOURCE_DIR}/packaging/changelog > ${INSGATE_CHANGELOG_GZ}
  DEPENDS ${PROJECT_SOURCE_DIR}/packaging/changelog VERBATIM)
add_custom_target(insgate_changelog ALL DEPENDS ${INSGATE_CHANGELOG_GZ})
foreach(component insgate dev)
  set(package insgate)
  if(component STREQUAL "dev")
    set(package insgate-dev)
  endif()
  install(FILES packaging/copyright ${INSGATE_CHANGELOG_GZ}
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${package} COMPONENT ${component})
  install(FILES packaging/lintian/${package}
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/lintian/overrides COMPONENT ${component})
endforeach()
# bash completion of insgatectl, where bash-completion looks for it on demand.
install(FILES daemon/ctl/insgatectl.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME insgatectl)

set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL insgate dev)
set(CPACK_COMPONENTS_GROUPING IGNORE)
set(CPACK_PACKAGE_NAME insgate)
set(CPACK_PACKAGE_VENDOR "insgate")
set(CPACK_PACKAGE_CONTACT "insgate maintainers <maintainers@insgate.invalid>")
# No CPACK_PACKAGE_DESCRIPTION_SUMMARY: CPack would put it before each
# package's description; the first line of each description below is its
# synopsis (lintian: description-synopsis-is-duplicated otherwise).
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_INSGATE_PACKAGE_NAME insgate)
set(CPACK_DEBIAN_INSGATE_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_INSGATE_PACKAGE_SECTION net)
set(CPACK_DEBIAN_INSGATE_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_INSGATE_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_INSGATE_DESCRIPTION
    "Local gateway between care software and the INSi teleservice\n\
insgated takes identity requests from care software on a local socket,\n\
calls INSi (Assurance Maladie) with the structure's certificate, applies\n\
the RNIV identity rules and feeds DMP connector plugins through a durable\n\
outbox. insgatectl is its command-line client.")
# postinst creates the insgate user (sysusers.d) and enables nothing; postrm
# removes on purge what the package put in /etc/insgate.
set(CPACK_DEBIAN_INSGATE_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/postinst ${PROJECT_SOURCE_DIR}/packaging/postrm
    ${PROJECT_SOURCE_DIR}/packaging/conffiles)
# insgate-dev: C headers only, the same on every architecture.
set(CPACK_DEBIAN_DEV_PACKAGE_NAME insgate-dev)
set(CPACK_DEBIAN_DEV_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_DEV_DESCRIPTION
    "Headers to build DMP connector plugins for insgate\n\
The stable C ABI of insgate plugins (insgate/plugin.h), C++ helpers\n\
(insgate/plugin_support.hpp) and the linker version script a plugin\n\
exports its entry points with.")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# The default build is Release (-O2, no debug information); the package ships stripped binaries.
set(CPACK_STRIP_FILES ON)
include(CPack)
