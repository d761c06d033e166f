package io.verdant.internal.obs;

import io.verdant.RuntimeMetrics;
import io.verdant.WorkerMetrics;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.sched.Scheduler;
import io.verdant.internal.sched.Sysmon;
import io.verdant.internal.sched.Worker;
import io.verdant.internal.sched.WorkerCounters;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link RuntimeMetrics} by summing the single-writer counters of the
 * carriers (see {@link WorkerCounters} for who writes what and the memory
 * ordering of this reader), the ticker's and the runtime's atomics. Any thread;
 * reads only, takes one lock (the scheduler's spare lock, to read the carriers
 * array and the totals of retired spares together: a spare moves from one to
 * the other under that lock, so it is summed exactly once and the sums never go
 * down), allocates one record per carrier. The spares alive are that array's
 * spares, so they match the carriers listed.
 */
public final class Metrics {
    private Metrics() {
    }

    /** Any thread: the metrics of {@code rt} now. */
    public static RuntimeMetrics of(RuntimeCore rt) {
        Scheduler s = rt.scheduler;
        if (s == null) {
            // A deterministic runtime (internal.det.DetScheduler): no workers, ticker or
            // Sysmon, so no carrier counters; only the runtime's own.
            return new RuntimeMetrics(rt.name, rt.spawnedElsewhere.get(), rt.exitedElsewhere.get(), rt.liveThreads(),
                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, rt.deadLetterCount(), rt.supervisorRestarts.get(), 0, 0, List.of());
        }
        Sysmon m = s.sysmon();
        // The carriers and the retired spares' totals in one read: a spare is in exactly one of them.
        Scheduler.CarriersAndRetired both = s.carriersAndRetired();
        WorkerCounters total = both.retired();
        Worker[] carriers = both.carriers();
        long polls = total.dispatchesRetired();
        long spawned = total.spawned, exited = total.exited, steals = total.steals, parks = total.parks;
        long noop = total.noopWakeups, waits = total.waits, honored = total.preemptionsHonored;
        List<WorkerMetrics> workers = new ArrayList<>(carriers.length);
        for (Worker w : carriers) {
            WorkerCounters c = w.counters;
            WorkerMetrics wm = new WorkerMetrics(w.index(), w.getName(), w.isSpare(), w.dispatchCount(), c.steals,
                    c.parks, c.noopWakeups, c.waits, c.preemptionsHonored, c.spawned, c.exited, w.localQueueDepth(),
                    w.lifoOccupied(), c.busyTicks);
            workers.add(wm);
            polls += wm.polls();
            spawned += wm.spawned();
            exited += wm.exited();
            steals += wm.steals();
            parks += wm.parks();
            noop += wm.noopWakeups();
            waits += wm.waits();
            honored += wm.preemptionsHonored();
        }
        return new RuntimeMetrics(rt.name, spawned + rt.spawnedElsewhere.get(), exited + rt.exitedElsewhere.get(),
                rt.liveThreads(), polls, steals, parks, noop, waits, m.preemptionsRequested(), honored, m.stallsReported(),
                m.sparesStarted(), carriers.length - s.workerCount(), rt.deadLetterCount(), rt.supervisorRestarts.get(),
                s.foreignSubmissions(), s.injectedDepth(), workers);
    }
}
