# Finds what ember builds on (Debian packages; scripts/setup installs them).
# ember_cpu_deps bundles the private CPU libraries: OpenBLAS, oneDNN, SLEEF.
# zlib (private too) inflates the gzip IDX files of nn/data.
find_package(fmt REQUIRED)
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(ZLIB REQUIRED)
find_package(nlohmann_json REQUIRED)  # header-only; safetensors headers in nn/serialize.cpp
find_package(PkgConfig REQUIRED)
pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)
pkg_check_modules(SLEEF REQUIRED IMPORTED_TARGET sleef)
# Debian's dnnl-config.cmake demands OpenCL (its GPU runtime), which we do not use: find the library directly.
find_library(DNNL_LIBRARY NAMES dnnl REQUIRED)
find_path(DNNL_INCLUDE_DIR dnnl.h REQUIRED)

add_library(ember_cpu_deps INTERFACE)
target_link_libraries(ember_cpu_deps INTERFACE PkgConfig::OPENBLAS PkgConfig::SLEEF ${DNNL_LIBRARY})
target_include_directories(ember_cpu_deps INTERFACE ${DNNL_INCLUDE_DIR})
install(TARGETS ember_cpu_deps EXPORT emberTargets)

# distributed/ (EMBER_DISTRIBUTED): MPI carries CPU tensors and starts every job
# (Debian's libopenmpi-dev). Without MPI the library builds without distributed/.
set(EMBER_HAS_DISTRIBUTED OFF)
if(EMBER_DISTRIBUTED)
  find_package(MPI COMPONENTS C)
  if(MPI_C_FOUND)
    set(EMBER_HAS_DISTRIBUTED ON)
    find_program(EMBER_MPIEXEC NAMES mpirun mpiexec HINTS ${MPIEXEC_EXECUTABLE})
  else()
    message(STATUS "ember: MPI not found, distributed/ is not built (apt-get install libopenmpi-dev openmpi-bin)")
  endif()
endif()
