/* `rststorm report`: one self-contained HTML page (inline CSS and SVG, no
 * script, nothing fetched) from a run, check or compare report directory. */
#ifndef RS_HTML_H
#define RS_HTML_H

#include <stddef.h>
#include <stdio.h>

/* Write s to f escaped for HTML text and attribute values: & < > " ' as
 * entities; control bytes other than tab and newline (which HTML forbids
 * as character references too) as '?'. NULL writes nothing. */
void rs_html_esc(FILE *f, const char *s);

/* The same into dst (len bytes, NUL included); output that does not fit
 * is cut at an entity boundary. Returns dst. For tests and small labels. */
char *rs_html_esc_buf(char *dst, size_t len, const char *s);

/*
 * Render the report in dir (a run or check report, or a directory holding
 * compare.csv) as one HTML page to out (temporary file + rename, as the
 * CSV writers). Returns 0; 2 when dir is not a readable report or out
 * names something other than a regular file (a symlink, a device: the
 * rename would replace it), one line in err; 1 when the page could not
 * be written (one line in err).
 */
int rs_html_report(const char *dir, const char *out, char *err,
		   size_t errlen);

/* `rststorm report DIR [-o FILE]`: argv[0] is "report". Exit status. */
int rs_cmd_report(int argc, char **argv);

#endif
