/* Start and stop callgrind's counting from Python (ctypes): bench/instructions.py. */
#include <valgrind/callgrind.h>

void marks_start(void) {
    CALLGRIND_START_INSTRUMENTATION;
    CALLGRIND_ZERO_STATS;
}

void marks_stop(const char *label) {
    CALLGRIND_DUMP_STATS_AT(label);
    CALLGRIND_STOP_INSTRUMENTATION;
}
