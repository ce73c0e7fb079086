# SPDX-License-Identifier: Apache-2.0
# Turns a text file into a comma-separated list of byte values for #include in a char array.
file(READ ${IN} HEX HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," BYTES "${HEX}")
file(WRITE ${OUT} "${BYTES}\n")
