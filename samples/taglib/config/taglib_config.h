/* TagLib's taglib_config.h, kept by TagLib for compatibility only. */
#ifndef TAGLIB_TAGLIB_CONFIG_H
#define TAGLIB_TAGLIB_CONFIG_H

#define TAGLIB_WITH_ASF 1
#define TAGLIB_WITH_MP4 1

#endif
