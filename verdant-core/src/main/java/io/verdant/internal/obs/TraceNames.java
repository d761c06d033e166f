package io.verdant.internal.obs;

import io.verdant.Pid;
import io.verdant.internal.GreenThread;
import io.verdant.internal.Pids;
import io.verdant.internal.RuntimeCore;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The labels of the green threads a trace mentions, and the collector's cheap
 * test of whether an id needs naming at all.
 *
 * <pre>
 * Labels
 *   A green thread is labelled the first time an event mentions it (its name is
 *   read from the pid table while the thread most likely still lives); an id
 *   found gone is noted in unnamed, and labelled later if a spawn or the slice in
 *   which it exited carries its name (the ring's object slot of that event).
 *
 * seen (the collector's test, TraceLane.stage)
 *   A direct-mapped table of SEEN ids, slot (int) id &amp; (SEEN - 1) (an id's low
 *   half is the pid's index + 1: threads alive together differ there). An id in
 *   its slot has been through name() already: an event that mentions it costs
 *   one load and a compare and touches no map. The table starts all 0, which is
 *   the id of foreign work (never named), so 0 always hits slot 0.
 *   A miss is not named at once: the block it was read in may turn out torn
 *   (TraceRing, "Reader"), and a torn event's id or name is garbage. Misses and
 *   carried names are queued in order (pending; a miss already queued in this
 *   block is not queued again: staged, cleared with the queue); resolve(), after
 *   the block is found whole, names them and fills their slots; discard() drops
 *   them. Only then does an id enter seen, so an id in seen was named.
 *
 * Threads: the collector and users of TraceSession, under its monitor.
 * </pre>
 */
final class TraceNames {
    /** Slots of the seen table: 2^10 (8 KiB, in a core's L1 cache beside the staging bytes). */
    static final int SEEN = 1 << 10;

    private final long runtimeId;
    /** The pid table: the live green thread of a pid, or null. */
    private final Function<Pid, GreenThread<?>> lookup;
    private final Map<Long, String> labels = new HashMap<>();
    /** Ids looked up in the pid table and found gone: named later if an event carries their name. */
    private final Set<Long> unnamed = new HashSet<>();
    /** Ids named already, direct-mapped (class comment); read by TraceLane.stage. */
    final long[] seen = new long[SEEN];
    /** Misses queued in the current block, direct-mapped like seen (a slot holds a queued id or 0). */
    private final long[] staged = new long[SEEN];
    private long[] pendingIds = new long[64];
    private String[] pendingNames = new String[64];
    private int pending;

    TraceNames(RuntimeCore core) {
        this(core.id, core::lookup);
    }

    /** Names for runtime {@code runtimeId}, whose live threads {@code lookup} finds (tests pass their own). */
    TraceNames(long runtimeId, Function<Pid, GreenThread<?>> lookup) {
        this.runtimeId = runtimeId;
        this.lookup = lookup;
    }

    /**
     * Queues {@code id}, seen in the block being staged and not in {@link #seen}.
     *
     * @param id a task id
     */
    void miss(long id) {
        int slot = (int) id & (SEEN - 1);
        if (staged[slot] != id) {
            staged[slot] = id;
            queue(id, null);
        }
    }

    /**
     * Queues a name that an event of the block being staged carries for {@code id}
     * (a spawn, or the slice in which the thread exited).
     *
     * @param id   a task id
     * @param name the thread's name
     */
    void carried(long id, String name) {
        queue(id, name);
    }

    private void queue(long id, String name) {
        if (pending == pendingIds.length) {
            pendingIds = Arrays.copyOf(pendingIds, pending * 2);
            pendingNames = Arrays.copyOf(pendingNames, pending * 2);
        }
        pendingIds[pending] = id;
        pendingNames[pending] = name;
        pending++;
    }

    /** The block was whole: names what it queued, in order, and fills their slots in seen. */
    void resolve() {
        for (int i = 0; i < pending; i++) {
            long id = pendingIds[i];
            String carried = pendingNames[i];
            if (carried != null) {
                named(id, carried);
                pendingNames[i] = null;
            }
            name(id);
            staged[(int) id & (SEEN - 1)] = 0;
        }
        pending = 0;
    }

    /** The block was torn: forgets what it queued. */
    void discard() {
        for (int i = 0; i < pending; i++) {
            staged[(int) pendingIds[i] & (SEEN - 1)] = 0;
            pendingNames[i] = null;
        }
        pending = 0;
    }

    /**
     * Labels a green thread the first time it is seen (a no-op for 0, foreign work);
     * its slot in seen holds it afterwards.
     *
     * @param id a task id
     */
    void name(long id) {
        seen[(int) id & (SEEN - 1)] = id;
        if (id == 0 || labels.containsKey(id) || unnamed.contains(id)) {
            return;
        }
        Pid pid = pid(id);
        GreenThread<?> g = lookup.apply(pid);
        String n = g == null ? null : g.name();
        if (g == null) {
            unnamed.add(id); // gone: an event that carries its name may still come
        } else {
            labels.put(id, n == null || n.isEmpty() ? pid.toString() : n + " " + pid);
        }
    }

    /** A name an event carried for {@code id}. */
    private void named(long id, String name) {
        if (id == 0 || labels.containsKey(id)) {
            return;
        }
        unnamed.remove(id);
        Pid pid = pid(id);
        labels.put(id, name.isEmpty() ? pid.toString() : name + " " + pid);
    }

    private Pid pid(long id) {
        return Pids.of(runtimeId, (int) id - 1, (int) (id >>> 32));
    }

    /**
     * A copy of the labels.
     *
     * @return task id to label
     */
    Map<Long, String> labels() {
        return new HashMap<>(labels);
    }
}
