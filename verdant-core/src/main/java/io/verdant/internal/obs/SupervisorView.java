package io.verdant.internal.obs;

import io.verdant.Pid;

import java.util.List;

/**
 * What observers (snapshots, dumps) may know of a running supervisor. A
 * supervisor registers one in its runtime's {@code supervisors} map, keyed by
 * its own green thread, when its loop starts and removes it when the loop ends.
 * Every method may be called from any thread and returns a snapshot.
 */
public abstract class SupervisorView {
    /** A running child: its spec's name and current pid. */
    public record ChildRef(String name, Pid pid) {
    }

    /** The supervisor's name. */
    public abstract String name();

    /** Its restart strategy, e.g. ONE_FOR_ONE. */
    public abstract String strategy();

    /** Restarts performed so far. */
    public abstract int restarts();

    /** Maximum restarts within the period. */
    public abstract int maxRestarts();

    /** Its running children in start order. */
    public abstract List<ChildRef> children();
}
