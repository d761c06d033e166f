package io.verdant;

import java.util.List;

/**
 * A runtime's counters and gauges, read by {@link Verdant#metrics()}. Counters
 * count since the runtime started (spare carriers that have retired included);
 * gauges are the value when read. Each value is read on its own, without
 * stopping anything: two values are not an atomic snapshot (for example
 * {@code spawned - exited} may differ from {@code live} by the spawns and
 * exits in flight), and a value may lag its true figure by the operations in
 * progress at that instant.
 *
 * @param runtime              the runtime's name
 * @param spawned              green threads spawned, the runtime's event-actor dispatchers included
 * @param exited               green threads ended (successfully, by failure, or abandoned at close)
 * @param live                 gauge: green threads spawned and not yet ended; never negative, and no
 *                             thread is counted ended without being counted spawned (one that ends
 *                             while it is read may still be counted). It includes event-actor
 *                             dispatchers: once a runtime ran an event actor, up to one idle
 *                             dispatcher per worker stays until close, so {@code live} is at
 *                             least 1 after every thread of the user's ended
 * @param polls                tasks dispatched, over all carriers
 * @param steals               tasks taken from another carrier's queues
 * @param parks                times a carrier parked with nothing to do
 * @param noopWakeups          carrier wake-ups that found no work
 * @param waits                times a green thread parked off its carrier and was resumed: in a Verdant
 *                             blocking operation (channel, mutex, join, receive, sleep, select) or a JDK
 *                             one that parks (java.util.concurrent locks and queues, socket I/O); a park
 *                             that returns at once (already unparked) is not counted
 * @param preemptionsRequested preemption requests made by the ticker (time slices and priority)
 * @param preemptionsHonored   preemption requests a green thread acknowledged at a safepoint
 * @param stalls               carriers reported stalled (held by one task past the stall threshold)
 * @param sparesStarted        spare carriers started in place of stalled ones
 * @param sparesAlive          gauge: spare carriers alive now; after close, the spares listed in
 *                             {@code workers}, ended though they are
 * @param deadLetters          dead letters, as {@link Verdant#deadLetterCount()} counts them: messages sent
 *                             to a pid that named no live green thread, dropped by a bounded mailbox, fired
 *                             by a timer at a dead thread, or replies that came after their call ended
 * @param supervisorRestarts   restarts performed by the runtime's supervisors (not one whose start threw)
 * @param foreignSubmissions   tasks of virtual threads that inherited Verdant's scheduler but are not green threads
 * @param injectionQueueDepth  gauge: tasks waiting in the runtime-wide injection queues
 * @param workers              one entry per carrier alive now, core carriers first; after close, the
 *                             carriers the runtime had as it closed, with their final figures,
 *                             though their threads have ended (or are ending)
 */
public record RuntimeMetrics(String runtime, long spawned, long exited, long live, long polls, long steals,
                             long parks, long noopWakeups, long waits, long preemptionsRequested, long preemptionsHonored,
                             long stalls, long sparesStarted, int sparesAlive, long deadLetters,
                             long supervisorRestarts, long foreignSubmissions, int injectionQueueDepth,
                             List<WorkerMetrics> workers) {
    /**
     * Copies the list of workers.
     *
     * @throws NullPointerException if {@code runtime} or {@code workers} is null
     */
    public RuntimeMetrics {
        java.util.Objects.requireNonNull(runtime, "runtime");
        workers = List.copyOf(workers);
    }
}
