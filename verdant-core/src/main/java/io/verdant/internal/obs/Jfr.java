package io.verdant.internal.obs;

import io.verdant.Pid;
import io.verdant.internal.RuntimeCore;

/**
 * Entry points of the JFR events, safe to call when the module {@code jdk.jfr}
 * is absent (a jlinked image): the event classes are loaded only through
 * {@link JfrEvents}, and only when {@link #AVAILABLE}.
 */
public final class Jfr {
    /** The module jdk.jfr is present in the boot layer (or Verdant runs on the class path with it). */
    public static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    private Jfr() {
    }

    /** The sender's thread: a message to {@code pid} became a dead letter. */
    public static void deadLetter(RuntimeCore rt, Pid pid, Object msg) {
        if (AVAILABLE) {
            JfrEvents.deadLetter(rt, pid, msg);
        }
    }

    /** The supervisor thread: it restarted a child. */
    public static void supervisorRestart(String supervisor, Pid pid, String child, String strategy, String restart,
                                         Throwable cause, int inWindow) {
        if (AVAILABLE) {
            JfrEvents.supervisorRestart(supervisor, pid, child, strategy, restart, cause, inWindow);
        }
    }

    /** The supervisor thread: it gave up (restart intensity exceeded). */
    public static void supervisorGaveUp(String supervisor, Pid pid, int maxRestarts, long periodNanos, String child,
                                        Throwable cause) {
        if (AVAILABLE) {
            JfrEvents.supervisorGaveUp(supervisor, pid, maxRestarts, periodNanos, child, cause);
        }
    }
}
