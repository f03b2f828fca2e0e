# Compiler warnings as one INTERFACE target, insgate_warnings, linked
# PRIVATE by every target the project builds (insgate_apply_warnings walks
# the directories once they are all declared), so no directory rewrites
# another's flags. INSGATE_WERROR turns them into errors: the presets set it
# (make test, hence CI, builds with it); configure with -DINSGATE_WERROR=OFF
# for a compiler newer than Debian 12's g++ 12 that warns about more.
option(INSGATE_WERROR "Treat compiler warnings as errors" OFF)

add_library(insgate_warnings INTERFACE)
# -Wno-mismatched-new-delete: false positive of g++ 12 on Asio 1.74
# coroutine frames (C++ only: the C compiler does not know it).
target_compile_options(insgate_warnings INTERFACE
  -Wall -Wextra -Wno-unused-parameter
  $<$<COMPILE_LANGUAGE:CXX>:-Wno-mismatched-new-delete>
  $<$<BOOL:${INSGATE_WERROR}>:-Werror>)

# insgate_apply_warnings(DIR): links insgate_warnings to every library and
# executable declared in DIR and its subdirectories.
function(insgate_apply_warnings dir)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t IN LISTS targets)
    get_target_property(type ${t} TYPE)
    if(type MATCHES "^(STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY|EXECUTABLE)$")
      target_link_libraries(${t} PRIVATE insgate_warnings)
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(s IN LISTS subdirs)
    insgate_apply_warnings(${s})
  endforeach()
endfunction()
