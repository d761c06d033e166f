package io.verdant.internal.chan;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A parked channel operation: queued in a channel's sender or receiver queue.
 * A plain send or receive is one Node that is also its own waiter
 * ({@code owner == this}); a select has one waiter Node (never queued) that
 * owns one queued Node per case.
 *
 * <pre>
 * Waiter states (owner.state), a select's waiter (its case nodes sit in the
 * queues of several channels, under several locks)
 *   WAITING  -> CLAIMED   a partner (holding the channel's lock) won the CAS
 *   CLAIMED  -> FIRED     the partner wrote fired/value, then setRelease
 *   CLAIMED  -> CLOSED    close() claimed it: the channel was closed
 *   WAITING  -> ABORTED   the waiter itself gave up (timeout, cancellation), by CAS
 *   Exactly one CAS out of WAITING succeeds, so exactly one case of a select
 *   fires and a timed-out operation has consumed nothing.
 *
 * Waiter states, a plain send or receive (owner == this: one node, one channel)
 *   WAITING  -> FIRED     a partner, holding the channel's lock: value, then setRelease
 *   WAITING  -> CLOSED    close(), holding the channel's lock: setRelease
 *   WAITING  -> ABORTED   the waiter gave up, holding the channel's lock (plain
 *                         store), and unlinked its node in the same critical section
 *   Every transition happens under the one lock of the one channel, so they
 *   exclude each other without a CAS: the hand-off of a rendezvous costs one
 *   locked instruction fewer (the lock's own CAS is the only one). A queued
 *   plain node is therefore always WAITING. The waiter reads its state without
 *   the lock (acquire), pairing with the partner's release.
 *
 * Fields
 *   thread, owner, channel, caseIndex, send, item: final or written before the
 *     node is queued (published by the channel lock).
 *   prev, next, queued: the links of the channel's intrusive sender or receiver
 *     queue (see ChannelImpl, "Queues"); guarded by the lock of {@code channel}.
 *   fired, value: written by the claiming partner before the releasing store of
 *     FIRED/CLOSED; read by the waiter after an acquiring read of state.
 * </pre>
 */
final class Node {
    static final int WAITING = 0;
    static final int CLAIMED = 1;
    static final int FIRED = 2;
    static final int CLOSED = 3;
    static final int ABORTED = 4;

    // queue links: guarded by channel's lock
    Node prev;
    Node next;
    boolean queued;

    final Thread thread;
    final Node owner;
    final ChannelImpl<?> channel;
    final int caseIndex;
    final boolean send;
    /** send: the value offered. */
    final Object item;

    // waiter part (meaningful when owner == this)
    @SuppressWarnings("unused") private volatile int state;
    Node fired;
    Object value;

    /** A plain operation: its own waiter. */
    Node(ChannelImpl<?> channel, boolean send, Object item) {
        this.thread = Thread.currentThread();
        this.owner = this;
        this.channel = channel;
        this.caseIndex = 0;
        this.send = send;
        this.item = item;
    }

    /** A select's waiter: never queued. */
    Node() {
        this.thread = Thread.currentThread();
        this.owner = this;
        this.channel = null;
        this.caseIndex = -1;
        this.send = false;
        this.item = null;
    }

    /** One case of a select. */
    Node(Node owner, ChannelImpl<?> channel, int caseIndex, boolean send, Object item) {
        this.thread = owner.thread;
        this.owner = owner;
        this.channel = channel;
        this.caseIndex = caseIndex;
        this.send = send;
        this.item = item;
    }

    /** Partner, under this node's channel lock: true if it won this node's waiter. */
    boolean claim() {
        Node w = owner;
        if (w == this) {
            // A plain operation: it leaves WAITING only under the lock the caller holds.
            return stateLocked() == WAITING;
        }
        if (w.casState(WAITING, CLAIMED)) {
            w.fired = this;
            return true;
        }
        return false;
    }

    /** Partner, after a successful claim: completes it; the caller unparks {@code owner.thread}. */
    void complete(int finalState, Object delivered) {
        Node w = owner;
        w.value = delivered;
        w.setStateRelease(finalState);
    }

    /** Waiter of a select only: gives up if nobody has claimed it yet. */
    boolean tryAbort() {
        return casState(WAITING, ABORTED);
    }

    /**
     * Waiter of a plain operation only, holding its channel's lock: gives up if
     * nobody has completed it yet (the caller then unlinks it under the same lock).
     */
    boolean tryAbortLocked() {
        if (stateLocked() != WAITING) {
            return false;
        }
        STATE.set(this, ABORTED);
        return true;
    }

    // ------------------------------------------------------------------ accessors, named by access mode

    /** The waiter (its own node) or a partner: acquire, pairing with complete()'s release of value. */
    int stateAcquire() {
        return (int) STATE.getAcquire(this);
    }

    /** A plain node's state read under its channel's lock, which orders it against every write of it. */
    private int stateLocked() {
        return (int) STATE.get(this);
    }

    /** A partner claiming (WAITING -> CLAIMED) or the waiter aborting (WAITING -> ABORTED): one wins. */
    private boolean casState(int expect, int update) {
        return STATE.compareAndSet(this, expect, update);
    }

    /** The partner that claimed: the final state, publishing {@code value} (written plain before it). */
    private void setStateRelease(int s) {
        STATE.setRelease(this, s);
    }

    private static final VarHandle STATE;
    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Node.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
