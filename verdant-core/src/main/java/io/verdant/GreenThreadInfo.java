package io.verdant;

import java.time.Duration;

/**
 * One green thread as seen by {@link Verdant#snapshot()}. Each field was read
 * once, without stopping the thread, so the fields of one record may come from
 * instants a few microseconds apart (a thread can show RUNNABLE with the wait
 * reason it had just before it was woken). Never contains message contents or
 * guarded values: wait reasons name objects by kind, id and state.
 *
 * @param pid          the green thread's pid
 * @param name         its name
 * @param priority     its priority
 * @param state        RUNNING (on a carrier now), RUNNABLE (queued), WAITING (parked or blocked;
 *                     an event actor: idle, or its handler blocks, with the handler's wait reason)
 * @param waitReason   what it waits on, e.g. {@code "Mutex.lock #5 held by <3.21.0> 'w-2'"},
 *                     {@code "join <3.17.0> 'db'"}, {@code "receive (mailbox)"}, {@code "sleep 1 ms"};
 *                     {@code ""} when not waiting, or when blocked in the JDK without a park blocker
 *                     (I/O, {@code Object.wait}: see the stack in a dump)
 * @param waitingFor   the green thread it waits for (a mutex's holder, a join's target, also one
 *                     waited for through {@link GreenHandle#toCompletableFuture()}, or the thread
 *                     running a task of {@link Verdant#executor()} waited for in {@code get}), or null; a
 *                     lock taken in an event actor's handler is held by the actor, not its dispatcher;
 *                     never the thread itself (one handed the mutex it waited for, not yet woken,
 *                     shows RUNNABLE with no wait reason), and the holder its wait reason names
 * @param timeWaiting  for a WAITING or RUNNABLE thread, how long since it last left a carrier
 *                     (an event actor: since its last turn ended, or, while its handler blocks,
 *                     since the handler parked), to within about 3 ms, or 10 while the ticker
 *                     backs off (a wait over about 26 days is shown modulo that);
 *                     {@link Duration#ZERO} when running or never run
 * @param runTime      time it spent on carriers (an event actor: its handlers' time in its turns, also
 *                     counted in its dispatcher's): sampled at 1 ms ticks (every 1-8 ms while the
 *                     ticker backs off, each look counting the ticks it slept), or measured exactly with
 *                     {@link Config.Builder#cpuTiming(boolean)}
 * @param dispatches   slices it ran: times a carrier ran it until it parked, yielded, was preempted
 *                     or ended (for an event actor, turns: times a dispatcher ran its handler for a
 *                     batch of messages), counted by the carrier as a slice ends (a thread that has just
 *                     parked may show WAITING a moment before its last slice is counted); modulo 2^32
 *                     (see {@link RuntimeSnapshot#delta}), and 0 when the runtime runs with the
 *                     benchmarking switch {@code -Dverdant.metrics=false}
 * @param carrier      the carrier thread's name while RUNNING, else null
 * @param parent       the green thread of the same runtime that spawned it, or null
 * @param supervisor   the supervisor whose child it is, or null
 * @param childName    its child-spec name under that supervisor, or null
 * @param mailboxDepth messages waiting in its mailbox, counted up to {@link #MAILBOX_CAP}
 * @param jdkThreadId  its virtual thread's {@link Thread#threadId()}: the {@code tid} of JDK thread dumps;
 *                     {@link #NO_JDK_THREAD} for an {@linkplain Actors event actor}, which has no
 *                     thread of its own (it is WAITING while idle, RUNNABLE while queued, RUNNING
 *                     while a dispatcher runs its handler, WAITING again while that handler blocks,
 *                     with the handler's wait reason; its carrier and stack are the dispatcher's)
 */
public record GreenThreadInfo(Pid pid, String name, Priority priority, GreenState state, String waitReason,
                              Pid waitingFor, Duration timeWaiting, Duration runTime, long dispatches,
                              String carrier, Pid parent,
                              Pid supervisor, String childName, int mailboxDepth, long jdkThreadId) {
    /** Mailbox depths are counted up to this many messages (a snapshot never walks a huge mailbox). */
    public static final int MAILBOX_CAP = 10_000;

    /** The {@link #jdkThreadId()} of an event actor: it has no thread of its own. */
    public static final long NO_JDK_THREAD = -1L;
}
