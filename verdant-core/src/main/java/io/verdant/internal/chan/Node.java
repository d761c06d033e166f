package io.verdant.internal.chan;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A parked channel operation: queued in a channel's sender or receiver queue.
 * A plain send or receive is one Node that is also its own waiter
 * ({@code owner == this}); a select has one waiter {@link SelectNode} (never
 * queued) that owns one queued SelectNode per case.
 *
 * <pre>
 * Waiter states (owner.state), a select's waiter (its case nodes sit in the
 * queues of several channels, under several locks)
 *   WAITING  -> CLAIMED   a partner (holding the channel's lock) won the CAS
 *   CLAIMED  -> FIRED     the partner wrote fired/item, then setRelease
 *   CLAIMED  -> CLOSED    close() claimed it: the channel was closed
 *   WAITING  -> ABORTED   the waiter itself gave up (timeout, cancellation, a throw
 *                         while it waited), by CAS; or the close of its runtime
 *                         abandoned it (ChannelImpl.dropAbandoned), by the same CAS;
 *                         or, by a volatile store, the waiter whose select threw
 *                         with cases queued (SelectCore, "Overflow"): holding all
 *                         its channels' locks (nobody can have claimed it), or
 *                         after its tryAbort() call overflowed, if it still read
 *                         WAITING (a partner whose claim came just before still
 *                         completes it; the select is gone, nobody reads it)
 *   Exactly one CAS out of WAITING succeeds, so exactly one case of a select
 *   fires and a timed-out operation has consumed nothing.
 *
 * Waiter states, a plain send or receive (owner == this: one node, one channel)
 *   WAITING  -> FIRED     a partner, holding the channel's lock: item, then setRelease
 *   WAITING  -> CLOSED    close(), holding the channel's lock: setRelease
 *   WAITING  -> ABORTED   the waiter gave up, holding the channel's lock (plain
 *                         store), and unlinked its node in the same critical section;
 *                         or the close of its runtime abandoned it, the same way
 *                         (ChannelImpl.dropAbandoned): the waiter, should it run,
 *                         then throws CancelledException; or, by a volatile store
 *                         without the lock, the waiter whose wait threw and whose
 *                         undo (ChannelImpl.withdraw) overflowed the stack, if it
 *                         still read WAITING (a partner that read it WAITING under
 *                         the lock just before still completes it; the waiter is
 *                         gone, nobody reads the node after)
 *   Every other transition happens under the one lock of the one channel, so they
 *   exclude each other without a CAS: the hand-off of a rendezvous costs one
 *   locked instruction fewer (the lock's own CAS is the only one). A queued
 *   plain node is therefore WAITING, or ABORTED by that store (partners drop
 *   it). The waiter reads its state without the lock (acquire), pairing with the
 *   partner's release.
 *
 * Fields
 *   owner (final), thread, send: written before the node is queued (published
 *     by the channel lock); thread and send change only when a plain node is
 *     reused (see ChannelImpl, "Node reuse"), while no channel and no partner
 *     can reach it.
 *   prev, next, queued: the links of the channel's intrusive sender or receiver
 *     queue (see ChannelImpl, "Queues"); guarded by the lock of the channel
 *     the node is queued in.
 *   item: one field for both directions. A send node (plain or a select's
 *     case): the value offered, written before it is queued; a partner reads
 *     it under the lock before completing the node. A waiter that receives (a
 *     plain receive node, a select's waiter): the value delivered, written by
 *     the claiming partner before the releasing store of FIRED/CLOSED and read
 *     by the waiter after an acquiring read of state. complete() writes the
 *     waiter's item: for a plain send node that overwrites the offered value
 *     with null, after the partner has read it (every caller reads item
 *     first) and while nobody else can (the node has just been dequeued under
 *     the lock). A select's case node is never its own waiter, so its offered
 *     value is never overwritten.
 *   SelectNode adds channel, caseIndex (final) and fired (a waiter's: written
 *     by the claiming partner, like item).
 *
 * Layout (per hop, the partner reads a node its waiter queued long ago, cold)
 *   A plain node is 40 bytes (JOL, JDK 25, compressed oops and class
 *   pointers): state at 12, the booleans, then the references in declaration
 *   order, so what a partner touches (state, queued, next, owner, thread,
 *   item) lies in bytes 12..36. The select-only fields live in SelectNode, so
 *   a plain operation does not allocate them (the node was 56 bytes).
 * </pre>
 */
class Node {
    static final int WAITING = 0;
    static final int CLAIMED = 1;
    static final int FIRED = 2;
    static final int CLOSED = 3;
    static final int ABORTED = 4;

    // Declaration order is the layout (see "Layout"): the fields a partner
    // touches first, prev (touched only when a second waiter queues) last.
    /**
     * Through the accessors below, except for the volatile stores of ABORTED by a
     * waiter whose operation threw and whose undo could overflow (SelectCore,
     * "Overflow"; ChannelImpl's doSend and doReceive): a store makes no call.
     */
    volatile int state;
    /** Queue link flag: guarded by the lock of the channel the node is queued in. */
    boolean queued;
    /** Written before the node is queued (constructor, or {@link #reuse}); see "Fields". */
    boolean send;
    /** Queue link: guarded by the lock of the channel the node is queued in. */
    Node next;
    final Node owner;
    /** Written before the node is queued (constructor, or {@link #reuse}); see "Fields". */
    Thread thread;
    /** A send node: the value offered; a receiving waiter: the value delivered (see "Fields"). */
    Object item;
    /** Queue link: guarded by the lock of the channel the node is queued in. */
    Node prev;

    /** A plain operation of the calling thread: its own waiter. */
    Node(boolean send, Object item) {
        this.thread = Thread.currentThread();
        this.owner = this;
        this.send = send;
        this.item = item;
    }

    /**
     * For SelectNode: {@code owner} null makes the node its own waiter (a select's
     * waiter, thread the caller), else a case of {@code owner}'s select.
     */
    Node(Node owner, boolean send, Object item) {
        this.owner = owner == null ? this : owner;
        this.thread = owner == null ? Thread.currentThread() : owner.thread;
        this.send = send;
        this.item = item;
    }

    /**
     * A plain operation of the calling green thread running on {@code carrier}
     * (its owner-only spare node if it has one, else a new node); see
     * ChannelImpl, "Node reuse". Any thread.
     *
     * @param carrier the caller's carrier (Carriers.current()), or null
     * @param send true for a send, false for a receive
     * @param item the value offered (a send), or null
     * @return a node, exclusively the caller's until it is queued
     */
    static Node plain(io.verdant.internal.sched.Worker carrier, boolean send, Object item) {
        if (carrier != null && carrier.spareNode instanceof Node n) {
            carrier.spareNode = null;
            n.reuse(send, item);
            return n;
        }
        return new Node(send, item);
    }

    /**
     * The waiter of a plain operation that FIRED, after it read {@link #item}:
     * hands the node to the caller's carrier for the next plain operation; see
     * ChannelImpl, "Node reuse". Its item and thread are cleared so a kept node
     * keeps neither a value nor an ended thread reachable.
     */
    void recycle() {
        io.verdant.internal.sched.Worker carrier = io.verdant.internal.Carriers.current();
        if (carrier != null) {
            item = null;
            thread = null;
            carrier.spareNode = this;
        }
    }

    /** A spare plain node, exclusively the caller's: made ready for a new operation (plain writes). */
    private void reuse(boolean send, Object item) {
        this.thread = Thread.currentThread();
        this.send = send;
        this.item = item;
        STATE.set(this, WAITING);
    }

    /** Partner, under this node's channel lock: true if it won this node's waiter. */
    boolean claim() {
        Node w = owner;
        if (w == this) {
            // A plain operation: it leaves WAITING only under the lock the caller holds.
            return stateLocked() == WAITING;
        }
        if (w.casState(WAITING, CLAIMED)) {
            ((SelectNode) w).fired = (SelectNode) this;
            return true;
        }
        return false;
    }

    /**
     * Partner, after a successful claim, having read {@link #item} if it wanted
     * it and {@code owner.thread} (to unpark after unlock): completes it. The
     * partner touches the node no more after this (see ChannelImpl, "Node reuse").
     */
    void complete(int finalState, Object delivered) {
        Node w = owner;
        w.item = delivered;
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

    /** The waiter (its own node) or a partner: acquire, pairing with complete()'s release of item. */
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

    /** The partner that claimed: the final state, publishing {@code item} (written plain before it). */
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
