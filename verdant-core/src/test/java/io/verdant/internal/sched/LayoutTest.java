package io.verdant.internal.sched;

import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.ClassLayout;
import org.openjdk.jol.info.FieldLayout;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The object layout of the scheduler's hot classes, from JOL: prints each
 * layout and, for the fields written on the dispatch path, which pairs may
 * share a 64-byte cache line (false sharing between the owner of a worker and
 * the thieves and ticker that read it). The assertions state the layout the
 * code has now, so a change to it (padding, a new field) is a visible decision.
 *
 * <p>Objects are only 8-byte aligned, so where a cache line starts within an
 * object is unknown: two fields may share a line if some 8-aligned 64-byte
 * window holds bytes of both ({@link #mayShareLine}); fields farther apart
 * never do.
 */
class LayoutTest {
    static final int LINE = 64;
    /** HotSpot's default object alignment (-XX:ObjectAlignmentInBytes). */
    static final int ALIGN = 8;

    @Test
    void injectionQueueHintHasALineOfItsOwn() {
        ClassLayout layout = ClassLayout.parseClass(InjectionQueue.class);
        System.out.println(layout.toPrintable());
        Map<String, FieldLayout> f = fields(layout);
        report("InjectionQueue", f, List.of("maybe", "consuming", "batches", "batchTasks", "takes", "levels"));
        // Read at every dispatch of every carrier; the others are written at every
        // take or overflow (InjectionQueue, "The dispatch path's hint").
        // Padded in front too: no line holding it reaches before the object (into whatever
        // was allocated next to it).
        assertThat(f.get("maybe").offset()).as("maybe's offset").isGreaterThanOrEqualTo(LINE);
        for (String written : List.of("consuming", "batches", "batchTasks", "takes", "levels")) {
            assertThat(mayShareLine(f.get("maybe"), f.get(written))).as("maybe and " + written).isFalse();
        }
    }

    @Test
    void localQueueLayout() {
        ClassLayout layout = ClassLayout.parseClass(LocalQueue.class);
        System.out.println(layout.toPrintable());
        Map<String, FieldLayout> f = fields(layout);
        report("LocalQueue", f, List.of("head", "tail", "buffer"));
        assertThat(f).containsKeys("head", "tail", "buffer");
        // Unpadded: head (CASed by the owner and by thieves) and tail (written by
        // the owner, read by thieves) sit in one 16-byte run of the object.
        assertThat(mayShareLine(f.get("head"), f.get("tail"))).isTrue();
    }

    @Test
    void workerLayout() {
        ClassLayout layout = ClassLayout.parseClass(Worker.class);
        System.out.println(layout.toPrintable());
        Map<String, FieldLayout> f = fields(layout);
        report("Worker", f, List.of("lifo", "dispatches", "current", "levelMask", "yielded", "notified",
                "injectedFirst", "retire", "levels"));
        assertThat(f).containsKeys("lifo", "dispatches", "current", "notified", "injectedFirst", "levels");
        // Unpadded: the fields the owner writes at every dispatch (dispatches,
        // current, lifo) may share a line with each other.
        assertThat(mayShareLine(f.get("dispatches"), f.get("current"))).isTrue();
    }

    @Test
    void workerCountersKeepOtherThreadsWritesOffTheOwnersLines() {
        ClassLayout layout = ClassLayout.parseClass(WorkerCounters.class);
        System.out.println(layout.toPrintable());
        Map<String, FieldLayout> f = fields(layout);
        List<String> owners = List.of("spawned", "exited", "steals", "parks", "noopWakeups", "waits",
                "preemptionsHonored", "searches", "stealProbes", "spinPhases", "spinPasses", "spinsFound",
                "spinNanos", "spawnYields");
        List<String> foreign = List.of("busyTicks", "wakeups");
        List<String> all = new java.util.ArrayList<>(owners);
        all.addAll(foreign);
        report("WorkerCounters", f, all);
        assertThat(f).containsKeys(all.toArray(String[]::new));
        // Written by the owning carrier (waits on every park with metrics on) and by the
        // ticker (busyTicks, every tick the carrier runs) or a notifier (wakeups): never
        // one line (WorkerCounters, "False sharing").
        for (String o : owners) {
            for (String x : foreign) {
                assertThat(mayShareLine(f.get(o), f.get(x))).as(o + " and " + x).isFalse();
            }
        }
        // Padded at both ends: no line holding a counter reaches outside the object (into
        // whatever was allocated next to it, e.g. the Worker's other fields).
        long first = f.values().stream().filter(fl -> all.contains(fl.name())).mapToLong(FieldLayout::offset).min().orElseThrow();
        long last = f.values().stream().filter(fl -> all.contains(fl.name())).mapToLong(fl -> fl.offset() + fl.size()).max().orElseThrow();
        assertThat(first).as("first counter's offset").isGreaterThanOrEqualTo(LINE);
        assertThat(layout.instanceSize() - last).as("bytes after the last counter").isGreaterThanOrEqualTo(LINE);
    }

    /** The fields declared by {@code layout}'s class and its superclasses up to (not including) Thread or Object. */
    static Map<String, FieldLayout> fields(ClassLayout layout) {
        Map<String, FieldLayout> out = new LinkedHashMap<>();
        for (FieldLayout fl : layout.fields()) {
            if (!fl.hostClass().endsWith("Thread") && !fl.hostClass().endsWith("Object")) {
                out.put(fl.name(), fl);
            }
        }
        return out;
    }

    /** True if some 8-aligned 64-byte window of the object holds bytes of both fields. */
    static boolean mayShareLine(FieldLayout a, FieldLayout b) {
        FieldLayout lo = a.offset() <= b.offset() ? a : b;
        FieldLayout hi = lo == a ? b : a;
        long lastOfLo = lo.offset() + lo.size() - 1;
        // The latest window start that still holds lo's last byte.
        long windowStart = Math.floorDiv(lastOfLo, ALIGN) * ALIGN;
        return windowStart + LINE > hi.offset();
    }

    /** Prints which of the named fields may share a line. */
    static void report(String cls, Map<String, FieldLayout> f, List<String> names) {
        StringBuilder sb = new StringBuilder(cls).append(": fields that may share a 64-byte line\n");
        for (int i = 0; i < names.size(); i++) {
            FieldLayout a = f.get(names.get(i));
            if (a == null) {
                continue;
            }
            sb.append(String.format("  %-14s @%4d:", a.name(), a.offset()));
            for (int j = 0; j < names.size(); j++) {
                FieldLayout b = f.get(names.get(j));
                if (j != i && b != null && mayShareLine(a, b)) {
                    sb.append(' ').append(b.name());
                }
            }
            sb.append('\n');
        }
        System.out.println(sb);
    }
}
