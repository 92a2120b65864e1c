# Write the bytes of IN as a C array (srv_openapi_json) into OUT, for embedding at build time.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n" bytes "${bytes}")
file(WRITE ${OUT} "/* Generated from server/openapi.json by server/embed.cmake. */\n"
  "#include <stddef.h>\n\n"
  "extern const unsigned char srv_openapi_json[];\nextern const size_t srv_openapi_json_len;\n\n"
  "const unsigned char srv_openapi_json[] = {\n${bytes}0x00};\n"
  "const size_t srv_openapi_json_len = ${len};\n")
