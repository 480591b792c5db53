# install() rules and the exported package, so that an installed ember works with
#   find_package(ember) + target_link_libraries(app ember::ember)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# A shared ember NEEDs libraries outside the system linker path (the CUDA toolkit's
# libcudart and libnccl stay in /usr/local/cuda, where NVIDIA's installer leaves
# them): the installed library keeps their folders as its run path, which is
# where both ld (resolving a consumer's link) and ld.so (running it) look for them.
# System folders are left out; Debian's openblas-openmp and openmpi folders stay,
# as in the build tree, so the installed library loads the BLAS it was built with.
set_target_properties(ember PROPERTIES INSTALL_RPATH_USE_LINK_PATH ON)
install(TARGETS ember EXPORT emberTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ember.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ember)
foreach(room core autograd ops cuda nn optim distributed)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${room})
    install(DIRECTORY ${room} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ember FILES_MATCHING PATTERN "*.h")
  endif()
endforeach()
# gdb's per-objfile script (found as <auto-load dir>/<library's full path>-gdb.py once
# this prefix's share/gdb/auto-load is gdb's scripts-directory; see docs/debugging.md).
install(FILES tools/gdb/ember_printers.py
  DESTINATION ${CMAKE_INSTALL_DATADIR}/gdb/auto-load${CMAKE_INSTALL_FULL_LIBDIR}
  RENAME ${CMAKE_SHARED_LIBRARY_PREFIX}ember${CMAKE_SHARED_LIBRARY_SUFFIX}-gdb.py)
install(FILES tools/gdb/ember_printers.py DESTINATION ${CMAKE_INSTALL_DATADIR}/ember/gdb)
install(FILES tools/lldb/ember_formatters.py DESTINATION ${CMAKE_INSTALL_DATADIR}/ember/lldb)
install(EXPORT emberTargets NAMESPACE ember:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ember)
configure_package_config_file(cmake/emberConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/emberConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ember)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/emberConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/emberConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/emberConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ember)
