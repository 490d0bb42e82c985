/* TagLib's config.h for Linux with clang and zlib: what its CMake configure step writes there. */
#ifndef TAGLIB_CONFIG_H
#define TAGLIB_CONFIG_H

#define HAVE_GCC_BYTESWAP 1
#define HAVE_GCC_ATOMIC 1
#define HAVE_VSNPRINTF 1
#define HAVE_ZLIB 1

#endif
