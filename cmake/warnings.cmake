# Compiler warnings shared by every target; warnings are errors unless ESEAL_WERROR=OFF.
set(ESEAL_WARNINGS -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes
    -Wmissing-prototypes -Wformat=2 -Wvla -Wno-unused-parameter)
if(ESEAL_WERROR)
  list(APPEND ESEAL_WARNINGS -Werror)
endif()
add_compile_options(${ESEAL_WARNINGS})
add_compile_definitions(_POSIX_C_SOURCE=200809L)
