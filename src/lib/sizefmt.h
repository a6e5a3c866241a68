/* sizefmt.h - message sizes in human units, for one-line messages
 * ("512 KB", "1 MB", "1.4 MB", "300 bytes").
 *
 * Units are the ones the size pulldowns use (KB = 1024 bytes, MB =
 * 1024 KB, as xsl/layout.xsl's hk.size shows them); a fraction is cut,
 * never rounded up, to one decimal, so a size just under a limit never
 * reads as the limit itself.
 */
#ifndef HK_SIZEFMT_H
#define HK_SIZEFMT_H

#include <stddef.h>

/* Writes the size into out (at least 32 bytes is always enough) and
 * returns out. */
char *hk_size_format(unsigned long long bytes, char *out, size_t outlen);

#endif
