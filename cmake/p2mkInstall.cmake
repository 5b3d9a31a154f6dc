# SPDX-License-Identifier: BSD-2-Clause
# Install rules for the core: public headers under include/p2mkit/, the
# static archive (and the shared library with P2MK_BUILD_SHARED), a
# relocatable CMake package (find_package(p2mkit) -> p2mkit::core), a
# relocatable p2mkit.pc, and the docs.  The CLI, its man page and its bash
# completion are installed by tools/p2mkit/CMakeLists.txt.
include(CMakePackageConfigHelpers)
set(P2MK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/p2mkit)

install(FILES ${P2MK_PUBLIC_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/p2mkit)
install(TARGETS ${P2MK_INSTALL_TARGETS} EXPORT p2mkitTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT p2mkitTargets NAMESPACE p2mkit:: DESTINATION ${P2MK_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/p2mkitConfig.cmake.in
  ${PROJECT_BINARY_DIR}/p2mkitConfig.cmake INSTALL_DESTINATION ${P2MK_CMAKE_DIR})
# 0.x releases promise compatibility only within one minor version.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/p2mkitConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/p2mkitConfig.cmake
        ${PROJECT_BINARY_DIR}/p2mkitConfigVersion.cmake DESTINATION ${P2MK_CMAKE_DIR})

# p2mkit.pc finds its prefix from its own location (${pcfiledir}), so the
# installed tree can be moved as a whole.
function(p2mk_pc_path var dir)
  if(IS_ABSOLUTE ${dir})
    set(${var} ${dir} PARENT_SCOPE)
  else()
    set(${var} "\${prefix}/${dir}" PARENT_SCOPE)
  endif()
endfunction()
if(IS_ABSOLUTE ${CMAKE_INSTALL_LIBDIR})
  set(P2MK_PC_PREFIX ${CMAKE_INSTALL_PREFIX})
else()
  file(RELATIVE_PATH P2MK_PC_UP /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
  set(P2MK_PC_PREFIX "\${pcfiledir}/${P2MK_PC_UP}")
endif()
p2mk_pc_path(P2MK_PC_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR})
p2mk_pc_path(P2MK_PC_LIBDIR ${CMAKE_INSTALL_LIBDIR})
configure_file(${CMAKE_CURRENT_LIST_DIR}/p2mkit.pc.in ${PROJECT_BINARY_DIR}/p2mkit.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/p2mkit.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

file(GLOB P2MK_DOCS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE ${P2MK_DOCS}
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
