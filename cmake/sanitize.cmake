# ASan + UBSan for the whole build (ESEAL_SANITIZE) and libFuzzer instrumentation (ESEAL_FUZZ).
if(ESEAL_SANITIZE OR ESEAL_FUZZ)
  set(ESEAL_SAN_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
      -fno-omit-frame-pointer -g)
  add_compile_options(${ESEAL_SAN_FLAGS})
  add_link_options(-fsanitize=address,undefined)
endif()
if(ESEAL_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "ESEAL_FUZZ needs clang (configure with CC=clang)")
  endif()
  # Instrument the library for coverage; only the fuzz targets link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
