# insgate — installation layout (cmake --install) and the Debian package
# (cpack -G DEB). Paths follow the systemd unit: /usr/bin/insgated,
# /etc/insgate/insgate.yaml, /usr/lib/insgate/plugins/, /var/lib/insgate.
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
install(FILES README.md LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})
# bash completion of insgatectl, where bash-completion looks for it on demand.
install(FILES daemon/ctl/insgatectl.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME insgatectl)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME insgate)
set(CPACK_PACKAGE_VENDOR "insgate")
set(CPACK_PACKAGE_CONTACT "insgate maintainers <maintainers@insgate.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Local gateway between care software and the INSi teleservice")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
# postinst creates the insgate user (sysusers.d) and enables nothing.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/postinst ${PROJECT_SOURCE_DIR}/packaging/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# The default build is Release (-O2, no debug information); the package ships stripped binaries.
set(CPACK_STRIP_FILES ON)
include(CPack)
