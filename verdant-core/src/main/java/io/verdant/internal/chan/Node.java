package io.verdant.internal.chan;

import io.verdant.internal.sync.WaitQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A parked channel operation: queued in a channel's sender or receiver queue.
 * A plain send or receive is one Node that is also its own waiter
 * ({@code owner == this}); a select has one waiter Node (never queued) that
 * owns one queued Node per case.
 *
 * <pre>
 * Waiter states (owner.state)
 *   WAITING  -> CLAIMED   a partner (holding the channel's lock) won the CAS
 *   CLAIMED  -> FIRED     the partner wrote fired/value, then setRelease
 *   CLAIMED  -> CLOSED    close() claimed it: the channel was closed
 *   WAITING  -> ABORTED   the waiter itself gave up (timeout, cancellation)
 *   Exactly one CAS out of WAITING succeeds, so exactly one case of a select
 *   fires and a timed-out operation has consumed nothing.
 *
 * Fields
 *   thread, owner, channel, caseIndex, send, item: final or written before the
 *     node is queued (published by the channel lock).
 *   queue links (WaitQueue.Node): guarded by the lock of {@code channel}.
 *   fired, value: written by the claiming partner before the releasing store of
 *     FIRED/CLOSED; read by the waiter after an acquiring read of state.
 * </pre>
 */
final class Node extends WaitQueue.Node<Node> {
    static final int WAITING = 0;
    static final int CLAIMED = 1;
    static final int FIRED = 2;
    static final int CLOSED = 3;
    static final int ABORTED = 4;

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

    /** Waiter only: gives up if nobody has claimed it yet. */
    boolean tryAbort() {
        return casState(WAITING, ABORTED);
    }

    // ------------------------------------------------------------------ accessors, named by access mode

    /** The waiter (its own node) or a partner: acquire, pairing with complete()'s release of value. */
    int stateAcquire() {
        return (int) STATE.getAcquire(this);
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
