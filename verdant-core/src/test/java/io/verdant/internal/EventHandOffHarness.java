package io.verdant.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test access to the event-actor hand-off of one mailbox ({@link ActorCell})
 * with no runtime, for the Lincheck model in io.verdant.lincheck. The cell
 * has no owner and starts IDLE as an event actor's does; what the runtime's
 * {@code Dispatchers} would do is played by a run queue holding at most one
 * token (the actor is queued) and by {@link #dispatch()}, which copies the
 * turn of {@code Dispatcher.turn}: up to {@link #THROUGHPUT} messages, then
 * back to the run queue if the budget ran out, else {@link ActorCell#idleEvent()}
 * and back to the run queue if it says a message slipped in.
 *
 * <p>The mailbox side is production code: {@code append} (its CAS IDLE ->
 * SCHEDULED), {@code pollEvent} and {@code idleEvent}. Whoever holds the token
 * (took it from the run queue, or won the CAS in {@link #send}) owns the
 * consumer side; ownership passes through the run queue's publication, as in
 * the runtime.
 */
public final class EventHandOffHarness {
    /** Messages per turn: small, so turns end on a full budget as well as on an empty queue. */
    public static final int THROUGHPUT = 2;

    private static final Object TOKEN = new Object();

    private final ActorCell cell = new ActorCell(null);
    /** The actor is runnable and waits for a dispatcher: holds TOKEN, or is empty. */
    private final ConcurrentLinkedQueue<Object> runQueue = new ConcurrentLinkedQueue<>();
    /** Handled messages in order; written by the token holder only. */
    private final List<Object> handled = new ArrayList<>();
    /** Turns running now; more than one is two owners at once. */
    private final AtomicInteger inTurn = new AtomicInteger();
    /** Times two turns ran at once or a second token was queued; must stay 0. */
    private final AtomicInteger doubleOwnership = new AtomicInteger();

    /** Starts IDLE, as a freshly spawned event actor once its spawner released it (EventActor.released). */
    public EventHandOffHarness() {
        cell.idleEvent(); // the mailbox is empty: IDLE
    }

    /**
     * Any thread: a send; if it made the actor runnable, the actor is queued.
     *
     * @param msg the message
     */
    public void send(Object msg) {
        if (cell.append(msg)) {
            schedule();
        }
    }

    private void schedule() {
        if (!runQueue.isEmpty()) {
            // Only one party may own a SCHEDULED actor: a second token is a protocol bug.
            doubleOwnership.incrementAndGet();
        }
        runQueue.offer(TOKEN);
    }

    /**
     * Any thread: a dispatcher's step. If the actor is queued, take it and run
     * one turn.
     *
     * @return the number of messages handled in the turn (0 if the actor was not queued)
     */
    public int dispatch() {
        if (runQueue.poll() == null) {
            return 0;
        }
        if (inTurn.incrementAndGet() != 1) {
            doubleOwnership.incrementAndGet();
        }
        int budget = THROUGHPUT;
        while (budget > 0) {
            Object m = cell.pollEvent();
            if (m == null) {
                break;
            }
            handled.add(m);
            budget--;
        }
        // The turn ends here: what follows hands the actor on (queue) or lets it go (IDLE).
        inTurn.decrementAndGet();
        if (budget == 0 || !cell.idleEvent()) {
            schedule();
        }
        return THROUGHPUT - budget;
    }

    /**
     * After every thread is done: runs the queued turns until none is queued.
     *
     * @param maxTurns a bound: a hand-off that reschedules forever fails instead of hanging
     * @return the turns run
     * @throws IllegalStateException if the actor is still queued after {@code maxTurns} turns
     */
    public int drain(int maxTurns) {
        int turns = 0;
        while (!runQueue.isEmpty()) {
            if (turns == maxTurns) {
                throw new IllegalStateException("still queued after " + maxTurns + " turns");
            }
            dispatch();
            turns++;
        }
        return turns;
    }

    /** @return the messages handled so far, in order (read when quiescent) */
    public List<Object> handled() {
        return handled;
    }

    /** @return whether the actor is IDLE: no turn runs and it is in no run queue */
    public boolean idle() {
        return cell.waitingFlag() == 1 && runQueue.isEmpty();
    }

    /** @return messages still in the mailbox (read when quiescent, with no turn running) */
    public int queued() {
        return cell.approxDepth(Integer.MAX_VALUE);
    }

    /** @return how often two parties owned the actor at once (must be 0) */
    public int doubleOwnership() {
        return doubleOwnership.get();
    }
}
