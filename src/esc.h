/* Escaping of outside input (argv values, CSV fields) before it is echoed
 * in a message: always one printable line, always bounded. */
#ifndef RS_ESC_H
#define RS_ESC_H

#include <stddef.h>

/* A good buffer size for one value quoted inside a one-line message. */
#define RS_ESC_VALUE 160

/* Write the n bytes at src into dst (len bytes, NUL included) with C-style
 * escapes: backslash as \\, newline \n, tab \t, carriage return \r, every
 * other byte below 0x20, 0x7f and every byte from 0x80 as \xNN (two
 * lowercase hex digits). Printable ASCII, quotes included, is copied.
 * When the escaped text does not fit in len - 1 bytes, its middle is
 * replaced by "...": the head and the tail are kept, and no escape is cut
 * in two. dst is always NUL-terminated (len 0: nothing is written); it
 * never holds a control character. Returns dst. Thread-safe. */
char *rs_esc_mem(char *dst, size_t len, const void *src, size_t n);

/* rs_esc_mem over the NUL-terminated string src (NULL reads as ""). */
char *rs_esc(char *dst, size_t len, const char *src);

#endif
