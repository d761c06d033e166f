package io.verdant;

/**
 * The statistics of one carrier thread of a runtime, part of {@link RuntimeMetrics}.
 * Counters count since the carrier started; gauges are the value at the moment
 * they were read. Each value is read independently (see {@link Verdant#metrics()}).
 *
 * @param index              the carrier's index: 0 .. workers-1 for core carriers, higher for spares
 * @param name               the carrier thread's name
 * @param spare              true for a spare carrier started in place of a stalled one
 * @param polls              tasks dispatched (slices run) on this carrier
 * @param steals             tasks this carrier took from another carrier's queues
 * @param parks              times this carrier parked with nothing to do
 * @param noopWakeups        wake-ups after which it found no work and parked again
 * @param waits              times this carrier resumed a green thread that had parked off its carrier
 *                           (a Verdant blocking operation, or a JDK one that parks)
 * @param preemptionsHonored preemption requests acknowledged at a safepoint by a thread running here
 * @param spawned            green threads spawned by code running on this carrier
 * @param exited             green threads that ended on this carrier
 * @param localQueueDepth    gauge: tasks in this carrier's local run queues (all priorities)
 * @param lifoOccupied       gauge: a woken task waits in this carrier's LIFO slot
 * @param busyTicks          ticker ticks (1 ms) in which this carrier was seen running a task (sampled:
 *                           a look after a longer sleep of the ticker counts the ticks it slept)
 */
public record WorkerMetrics(int index, String name, boolean spare, long polls, long steals, long parks,
                            long noopWakeups, long waits, long preemptionsHonored, long spawned, long exited,
                            int localQueueDepth, boolean lifoOccupied, long busyTicks) {
}
