package io.verdant.internal.obs;

import io.verdant.Pid;
import io.verdant.internal.RuntimeCore;

/** The JFR event sites; loaded only when jdk.jfr is present (see {@link Jfr}). */
final class JfrEvents {
    private JfrEvents() {
    }

    static void deadLetter(RuntimeCore rt, Pid pid, Object msg) {
    }

    static void supervisorRestart(String supervisor, Pid pid, String child, String strategy, String restart,
                                  Throwable cause, int inWindow) {
    }

    static void supervisorGaveUp(String supervisor, Pid pid, int maxRestarts, long periodNanos, String child,
                                 Throwable cause) {
    }
}
