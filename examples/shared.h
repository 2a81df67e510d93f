/* The seed scenario's shared layout: a named section holding one line at a time, and two
 * named auto-reset events taking turns ("ready": the server wrote a line; "done": the
 * client took it). */
#ifndef EXAMPLES_SHARED_H
#define EXAMPLES_SHARED_H

#define SECTION_NAME "mmf-demo-lines"
#define READY_NAME "mmf-demo-ready"
#define DONE_NAME "mmf-demo-done"

struct line_box {
    LONG length; /* -1: no more lines */
    char text[4092];
};

#endif
