package io.verdant.internal;

import io.verdant.CancelToken;
import io.verdant.CancelledException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Objects;

/**
 * The implementation of {@link CancelToken}: a node in the cancellation tree of
 * a runtime's green threads.
 *
 * <pre>
 * Overview: tokens on demand, children on a lock-free list
 *   GreenThread has one field for cancellation, {@code kin}:
 *     null                        a root thread (spawned from outside any green
 *                                 thread) that has not asked for its token, or
 *                                 one left under no live node: its ancestors
 *                                 ended (see "Orphans");
 *     a CancelNode, owner != g    the token g is registered under (its
 *                                 parent's, or a Spawner.cancelWith token);
 *                                 g has no token of its own yet;
 *     a CancelNode, owner == g    g's own token (whose {@code parent} is the
 *                                 node g is registered under, or null).
 *   A thread's own token is made on first use: Green.cancelToken(), an
 *   onCancel, a cancel() aimed at it, or spawning a child. So a leaf thread
 *   that never uses cancellation (a million sleepers) costs no object; a thread
 *   that spawns costs one token, whose own slots (below) are reused by its
 *   later children; a child registered from elsewhere costs one {@link Link}
 *   (24 bytes). Cancellation walks down through slots and links; nothing walks up.
 *
 * Own children: slots only the owner writes (issue 11)
 *   Almost every registration is a thread spawning its own child. Those go to
 *   the owner's own slots: {@code chunks}, an array of chunks, each an array
 *   of GreenThread references (8, 8, 16, 32, 64, then chunks of 64 slots). A
 *   child knows its slot: kinLink is the chunk, kinPos the position (a byte,
 *   in padding the object had: GreenThread stays 104 bytes). Who writes what:
 *     the owner (registerOwn): picks a free slot (thread null) with its
 *       cursor, stores the child (volatile), re-reads {@code cancelled};
 *       grows the chunks; nobody else writes a slot's thread but
 *     the child, when it ends (threadEnded; or its completer for it, once:
 *       see "Ending"): clears its own slot (opaque: a plain store). It
 *       touches nothing else of the node: no head, no count.
 *   So a spawn allocates nothing here once the chunks fit the live children,
 *   takes no atomic but the volatile store, and an ending child writes one
 *   word, with no atomic, in a line only the owner and its children write.
 *   A slot is reused only after its child cleared it: the owner writes only a
 *   slot it read as null, and the child clears only its own slot, once; its
 *   clear comes after the owner's store (registration precedes the start), so
 *   a clear never erases a later child. Slots of a node whose kids are final
 *   (CANCELLED, ENDED) are never taken again (registerOwn then takes the shared
 *   path), so a late clear by an adopted child (its kinLink read stale) only
 *   clears a slot nobody uses.
 *   Reuse and growth (amortised O(1) per spawn, bounded memory): the cursor
 *   goes round the slots in laps of {@code capacity} looks. A lap that found
 *   fewer than half of its slots free ends with a doubling (new chunks, cursor
 *   on the first new slot): the next lap finds at least half free. So a spawn
 *   costs at most two looks amortised plus the doublings (geometric), and the
 *   slots grow only while more than half are occupied at a lap's end: at most
 *   about four times the peak number of live own children, plus 8. Slots are
 *   never given back while the owner lives (4 bytes each; the Link design's
 *   sweep gave its 24-byte links back): a burst of a million live children
 *   leaves its parent at most about 16 MB of empty slots until it ends,
 *   beside the hundreds of megabytes the burst itself needed. When the owner
 *   ends, its chunks are dropped (below).
 *   Dekker pair with cancel: the owner stores the child (volatile) and then
 *   reads {@code cancelled} (on the spawn path: a release store, the full fence
 *   of the pid table's publication, then the read; see "One fence per spawn"
 *   below); a canceller writes {@code cancelled} (volatile, after its CAS of
 *   kids: see "Cancellation") and then reads {@code chunks} and every slot
 *   (volatile). Sequential
 *   consistency of these accesses gives: either the owner sees cancelled (the
 *   child is born cancelled: its kin is CAS'd to a cancelled token, unless the
 *   canceller already made the child's token, whose cancel covers it) or the
 *   canceller's walk finds the child. A child found by both is cancelled once:
 *   CancelNode.cancel() is idempotent and a thread has one token. New chunks
 *   are published by the volatile write of {@code chunks} before any slot in
 *   them is used, so the same argument covers them.
 *
 * One fence per spawn (issue 11)
 *   A spawn made two Dekker pairs, each with its own full fence: the own slot
 *   against cancel (above) and the pid table's publication against close
 *   (PidTable, "Closing"). RuntimeCore.create now registers with
 *   registerOwnDeferred (the slot stored with release, no read), then publishes
 *   in the pid table, whose publication is a release store, a full fence
 *   (VarHandle.fullFence) and the read of {@code closed}, and only then reads
 *   {@code cancelled} (bornCancelledAfterFence). One fence orders both stores
 *   before both reads, which is all each pair needs: either the owner reads
 *   cancelled, or the canceller, whose volatile write of cancelled precedes its
 *   volatile reads of the slots, finds the child (the fence's order, as in C++'s
 *   seq_cst fences). Event actors and registrations from other threads keep
 *   registerOwn / register.
 *
 * Why no monitor on spawn and exit (issue 11)
 *   The previous design kept the children in an array under the node's
 *   monitor: every spawn added under it and every finishing child removed
 *   itself under it, so a parent spawning on one carrier and its children
 *   ending on the other fought for one monitor and one cache line (18% of the
 *   samples of spawn+join at 2 workers, with contended virtual-thread monitor
 *   enters unmounting the children). Then a spawn became one CAS on the parent's
 *   {@code kids} head and a finishing leaf child wrote only its own Link; now
 *   an own child takes a reused slot (above), and only registrations from
 *   other threads (Spawner.cancelWith, a thread factory's token, adoption)
 *   push Links on the chain.
 *
 * The kids field (one word, three kinds of value)
 *   null or a Link   the children registered so far: a Treiber stack of Links,
 *                    newest first; pushes CAS the head.
 *   CANCELLED        cancel() took the children (final); a later registration
 *                    makes the child born cancelled.
 *   ENDED            the owner finished and handed its live children to the node
 *                    above (final); a later registration goes to {@code parent}.
 *   transition                      by
 *   chain -> longer chain (CAS)     register / adopt: a new Link on top
 *   chain -> CANCELLED (CAS)        cancel(), before setting {@code cancelled}
 *   chain -> ENDED (CAS)            the owner's threadEnded (not if CANCELLED)
 *   Whoever moves kids to CANCELLED or ENDED also takes the own slots: it
 *   walks the chain it took and the chunks. The owner's threadEnded then drops
 *   {@code chunks} (null): no own registration follows (kids is final).
 *
 * Links (one per registration)
 *   Link.thread is the registered thread; the thread clears it when it ends
 *   (threadEnded), so a finished child never stays reachable from its parent,
 *   however long the parent lives. A link is dead once thread is null or done;
 *   dead is final. Link.next is written before the pushing CAS and afterwards
 *   only by a sweep. A thread knows its current link (GreenThread.kinLink).
 *
 * Sweeping (memory stays proportional to the live children)
 *   Dead links are unlinked by a sweep, not by the finishing child (that would
 *   need the node's head or a predecessor: the contention this design removes).
 *   A registration counts itself in {@code pushes}; when the count reaches
 *   {@code sweepAt} the registering thread sweeps: it walks the chain and makes
 *   each live link's next skip the dead links after it; sweepAt becomes
 *   max(SWEEP_MIN, links kept), so each sweep's cost is paid for by as many
 *   registrations: amortised O(1) per spawn, and the chain never holds more than
 *   about twice the live children plus SWEEP_MIN (dead links hold no thread).
 *   The head link is never removed (only a CAS could, racing pushes); at most
 *   one dead link stays on top. One sweep at a time ({@code sweeping}, CAS).
 *   Sweeps are safe against everything else, because they only ever make a
 *   live link's next skip links that were dead when read: pushes touch only the
 *   head; a canceller or adopter walking the chain sees each next either before
 *   or after the skip, and both reach every live link; nothing else writes next.
 *   A sweep of a chain that cancel() or the owner's end has taken meanwhile
 *   works on a detached chain and harms nothing.
 *
 * Orphans (a registered thread's node ends before it does)
 *   A thread that ends takes its own chain (CAS to ENDED) and hands its live
 *   children (chain and own slots) to the node it was registered under: one new Link each on that
 *   node (forwarded up through ENDED nodes; if the node is CANCELLED the child
 *   is cancelled instead, once all are handed up: threadEndedLate). So a live descendant is always reachable from every
 *   live ancestor's node. A child that ends while it is being adopted may
 *   leave a link holding it (it cleared the old one); the link is dead
 *   (thread done) and the next sweep drops it.
 *   The adopter re-points the child (reparent: its kin by CAS, or its own
 *   token's parent) to the node it registers it under, or to null if no live
 *   node is left above. Before, the child kept pointing at the ended node, and
 *   a relay (each thread spawns its successor and ends) made a chain of ended
 *   nodes, each holding its thread, that the live thread kept reachable and
 *   that every hand-up walked: memory and time grew with the number of steps
 *   (RelayChainCancelTest). A root thread's node (no parent) that ends has no
 *   one to hand its live children to: it re-points them to null itself. Before,
 *   they kept pointing at it, and each kept the ended root reachable while it
 *   lived (a relay started outside any green thread whose first thread ended
 *   only after the rest of the relay had been adopted by it). For the same
 *   reason a registration that finds a root's node ENDED (Spawner.cancelWith
 *   with the token of an ended root thread) registers the child under none
 *   (RelayChainCancelTest). A stale parent (an adoption racing a later one) is
 *   an ended node above the right one: its ENDED forwards there.
 *
 * Ending (threadEnded: whoever completes the thread, once)
 *   A thread leaves the tree when it is completed, by its completer (the one
 *   that emptied its pid slot: GreenThread, "Completion state"): the thread
 *   itself as it ends, the spawner undoing a failed spawn, or close abandoning
 *   a thread that did not end in time (RuntimeCore, "Shutdown", step 4). Once
 *   per thread: the clear of an own slot must come once (above). An abandoned
 *   thread is unregistered as an ended one is: before, it stayed on the token
 *   it was registered under, and a standalone token or a spawner's token in
 *   another runtime kept the closed runtime reachable through it. Close
 *   cancelled its token first (step 2), so its children were taken by that
 *   cancel and the closer only clears its link or own slot (the closer never
 *   takes an abandoned owner's chunks while a carrier stuck in that owner
 *   might still use them, unless that cancel failed).
 *
 * Cancellation (cancel(), any thread; iterative, so deep trees cannot overflow)
 *   1. under the node's monitor: if already cancelled, stop; take the
 *      children: CAS kids from the chain to CANCELLED; if kids is ENDED, the
 *      owner finished first and its children went up: stop, as a cancel of a
 *      finished thread does (its onCancel actions never run: a walk that found
 *      the child alive may reach its node after it ended;
 *      CancelReachingAnEndedChildTest); then set cancelled, take the callbacks;
 *   2. interrupt the owner's virtual thread (if any and still alive);
 *   3. run the callbacks (outside the monitor);
 *   4. for each child still alive (on the chain step 1 took, and, if step 1
 *      took it, in the own slots): make (or take) its own token and repeat.
 *   The children are taken before cancelled is set, never after: an owner
 *   that sees cancelled (its loop's check) and ends at once must find kids
 *   CANCELLED, so that its threadEnded leaves the children to this walk. With
 *   the mark first, an owner ending between the mark and the CAS took its
 *   children itself (kids to ENDED) and handed them up as an ordinary end
 *   does (to no one, for a root thread), and the cancel, finding ENDED, walked
 *   none: a whole batch of children escaped a cancel that had reached their
 *   parent (SpawnCancelRaceTest, forced at the fault site CANCEL_MARKED). Now
 *   the CAS precedes the volatile write of cancelled, so whoever reads
 *   cancelled true reads kids CANCELLED after it (happens-before), and kids is
 *   final. For a moment kids is CANCELLED and cancelled still false: a
 *   registration that sees CANCELLED makes its child born cancelled, an
 *   adoption cancels the child, an ending owner leaves the children, all as
 *   after the mark; an own registration that read kids before the CAS is the
 *   Dekker pair below, unchanged (the canceller still writes cancelled before
 *   it reads chunks and the slots).
 *   Who took the children is final and readable: after a cancel() of a
 *   thread's token, kids is CANCELLED if the cancel (or an earlier one) took
 *   them, ENDED if the owner ended first and handed them up (null: it ended
 *   with no token, so no own children). cancelTakingChildren reports it, so a
 *   caller can match its own outcome to where the children went
 *   (Green.withTimeout: timed out iff they were cancelled).
 *   A spawn from another thread racing with cancel: the registration's CAS and
 *   step 1's CAS are ordered on kids, so the child is either in the chain step
 *   1 took or sees CANCELLED and is born cancelled (and interrupted right after
 *   start). An own spawn racing with cancel: the Dekker pair of "Own children".
 *
 * Memory ordering
 *   cancelled is volatile, written in step 1 under the monitor after the CAS
 *   of kids, read without it by isCancelled (the fast check of every blocking
 *   operation); so a thread that reads it true reads kids final. The
 *   owner's interrupt comes after that write, so a thread woken by the
 *   interrupt always sees its token cancelled. kin is volatile; the registering
 *   thread writes it before the pushing CAS (so a canceller that finds the link
 *   finds kin set, and its CAS from "registered under P" to "own token with
 *   parent P" is never overwritten); afterwards it changes only by CAS: that
 *   one, and an adopter's re-pointing (see "Orphans").
 *   kids: every change is a CAS (a full fence), and the walks that follow a
 *   CAS read links published by the CASes before it. Link.next and
 *   Link.thread are read opaquely: a stale next is one of the two equally
 *   valid values above, a stale thread a dead link read as live (its thread's
 *   status, read with acquire, decides). Own slots: see the Dekker pair in
 *   "Own children"; the owner's cursor reads slots opaquely (a stale non-null
 *   only skips a free slot until the next lap; when it reads null, the child's
 *   clear is what it read, so its own store follows the clear in the slot's
 *   coherence order). The cursor and lap fields are plain: the owner only
 *   (an event actor's turns, on whichever dispatcher, are ordered one after
 *   the other).
 * </pre>
 */
public final class CancelNode implements CancelToken {
    private static final System.Logger LOG = System.getLogger("io.verdant");
    /** Sweep no chain shorter than this: a thread that spawns and joins a few children in a
     * loop never sweeps more than once per this many spawns. Chosen, not measured. */
    private static final int SWEEP_MIN = 64;
    /** Own slots made by the first registration: a thread that spawns a handful of children
     * (skynet's ten) allocates 8 slots (about 160 bytes), not a chunk sized for a loop. Chosen, not measured. */
    private static final int FIRST_CHUNK = 8;
    /** The largest chunk: growth past it adds several chunks (so no array over 64 slots is
     * copied or scanned at once). Chosen, not measured. */
    private static final int MAX_CHUNK = 64;
    /** kids once cancel() has taken the children. */
    private static final Object CANCELLED = new Object();
    /** kids once the owner has ended and handed its children up. */
    private static final Object ENDED = new Object();

    /** The green thread whose token this is, or null for a standalone token. */
    final GreenThread<?> owner;
    /**
     * The node the owner is registered under (for its exit), or null. Written at
     * construction and by an adopter (see "Orphans": re-pointed past ended nodes,
     * opaque); read plainly: a stale value is an ended node above the new one, whose
     * ENDED kids forward to the same place.
     */
    CancelNode parent;
    private volatile boolean cancelled;
    /** The children: null, a Link chain, CANCELLED or ENDED (see "The kids field"). */
    @SuppressWarnings("unused") private volatile Object kids;
    /** Registrations since the last sweep; a hint, written racily by registering threads. */
    private int pushes;
    /** Sweep when {@code pushes} reaches this; written by the sweeper. */
    private int sweepAt = SWEEP_MIN;
    /** 1 while a sweep runs (CAS 0 -> 1 to start one). */
    @SuppressWarnings("unused") private volatile int sweeping;
    /** null, one Reg, or an ArrayList of Reg. Guarded by this. */
    private Object callbacks;
    /**
     * The owner's own children (see "Own children"): chunks of slots, null until the
     * first. The array and its chunks' slots are written by the owner only (and a slot
     * cleared by its child); the array is replaced (copied) to add chunks.
     * Volatile: the walks of cancel and hand-up read it in the Dekker pair.
     */
    private volatile GreenThread<?>[][] chunks;
    /** Owner only, plain: the cursor (next slot to look at) and the lap's accounting. */
    private int chunkAt;
    private int slotAt;
    private int lapLeft;
    private int lapUsed;
    private int capacity;

    private CancelNode(GreenThread<?> owner, CancelNode parent, boolean cancelled) {
        this.owner = owner;
        this.parent = parent;
        if (cancelled) { // (no volatile stores of the defaults: a token is made per spawning thread)
            this.cancelled = true;
            this.kids = CANCELLED;
        }
    }

    public static CancelNode standalone() {
        return new CancelNode(null, null, false);
    }

    /** One registration of a child on a node's chain (see "Links"). */
    static final class Link {
        /** The child; cleared by the child when it ends. Opaque accesses. */
        @SuppressWarnings("unused") private GreenThread<?> thread;
        /** The link below; written before the pushing CAS, then by sweeps only. Opaque accesses. */
        @SuppressWarnings("unused") private Link next;

        Link(GreenThread<?> thread) {
            this.thread = thread;
        }

        GreenThread<?> thread() {
            return (GreenThread<?>) LINK_THREAD.getOpaque(this);
        }

        /** The child, when it ends: this link holds it no more. */
        void clear() {
            LINK_THREAD.setOpaque(this, (GreenThread<?>) null);
        }

        Link next() {
            return (Link) LINK_NEXT.getOpaque(this);
        }

        void setNext(Link n) {
            LINK_NEXT.setOpaque(this, n);
        }

        /** The live thread this link holds, or null if the link is dead. */
        GreenThread<?> live() {
            GreenThread<?> t = thread();
            return t != null && !t.isDone() ? t : null;
        }
    }

    // ------------------------------------------------------------------ per-thread entry points

    /** Any thread. {@code g}'s own token, made on first use. */
    public static CancelNode of(GreenThread<?> g) {
        for (;;) {
            Object k = g.kin;
            if (k instanceof CancelNode n && n.owner == g) {
                return n;
            }
            CancelNode parent = (CancelNode) k;
            CancelNode mine = new CancelNode(g, parent, false);
            if (g.casKin(k, mine)) {
                return mine;
            }
        }
    }

    /** Any thread; the fast check: true if {@code g}'s own token exists and is cancelled. */
    static boolean isCancelled(GreenThread<?> g) {
        return g.kin instanceof CancelNode n && n.owner == g && n.cancelled;
    }

    /**
     * Spawning thread, before {@code child} is published or started.
     * Registers {@code child} under {@code node} (or, if its owner has ended,
     * the nearest node above that has not); returns true if that node is
     * already cancelled, in which case the child is born cancelled and the
     * caller interrupts it once started. Lock-free: one CAS on the node.
     */
    static boolean register(CancelNode node, GreenThread<?> child) {
        Link link = null;
        CancelNode n = node;
        for (;;) {
            Object h = n.kids;
            if (h == CANCELLED) {
                child.kin = new CancelNode(child, n, true);
                return true;
            }
            if (h == ENDED) {
                if (n.parent != null) {
                    // The owner finished (a Spawner.cancelWith on a dead thread's token):
                    // register with its nearest live ancestor instead.
                    n = n.parent;
                    continue;
                }
                // A finished root thread's token: nothing can cancel through it any more, so
                // the child is registered under none (see "Orphans"). Before, it pointed at
                // this ended node, which kept the ended thread reachable while the child lived.
                child.setKinRelease(null);
                return false;
            }
            if (link == null) {
                link = new Link(child);
            }
            link.setNext((Link) h);
            // kin before the CAS: a canceller that finds the link must find kin set.
            child.setKinRelease(n);
            if (KIDS.compareAndSet(n, h, link)) {
                child.kinLink = link;
                n.registered();
                return false;
            }
        }
    }

    /** {@link #registerOwnDeferred}'s answer when the child took an own slot and the check of {@code cancelled} is the caller's. */
    static final int OWN_CHECK_PENDING = -1;

    /**
     * As {@link #registerOwn}, without its fence and its read of {@code cancelled}
     * (see "One fence per spawn"): the slot is stored with release, and the caller,
     * after a full fence of its own that follows this store, calls {@link
     * #bornCancelledAfterFence}. Returns OWN_CHECK_PENDING in that case; 1 or 0 if
     * the node's kids were final and the shared path registered the child (born
     * cancelled or not: nothing left to check).
     */
    static int registerOwnDeferred(CancelNode node, GreenThread<?> child) {
        Object h = node.kids;
        if (h == CANCELLED || h == ENDED) {
            return register(node, child) ? 1 : 0;
        }
        child.setKinRelease(node);
        int at = node.takeSlot();
        GreenThread<?>[] c = node.chunks[at >>> 8];
        child.kinLink = c;
        child.kinPos = (byte) at;
        // Tests only (folded away otherwise): a cancel here, after the read of kids and
        // before the store, walks the slots without the child; only the caller's
        // bornCancelledAfterFence then cancels it (SpawnCancelRaceTest).
        io.verdant.internal.sched.Faults.ownSlotPending();
        SLOT.setRelease(c, at & 0xff, child);
        return OWN_CHECK_PENDING;
    }

    /**
     * The owner, after {@link #registerOwnDeferred} answered OWN_CHECK_PENDING and
     * a full fence followed its store: registerOwn's second half (the read of the
     * Dekker pair with cancel). True if the child is born cancelled.
     */
    static boolean bornCancelledAfterFence(CancelNode node, GreenThread<?> child) {
        if (node.cancelled) {
            child.casKin(node, new CancelNode(child, node, true));
            return true;
        }
        return false;
    }

    /**
     * The owner of {@code node} (the spawning thread itself), before {@code
     * child} is published or started: registers {@code child} in a free slot of
     * the node's own chunks (see "Own children"). Returns true if the node is
     * cancelled, in which case the child is born cancelled and the caller
     * interrupts it once started. One release store and a full fence (what a
     * volatile store costs), on a line no other thread
     * writes unless a child of this node ends; no allocation once the chunks
     * have grown to the live children.
     */
    static boolean registerOwn(CancelNode node, GreenThread<?> child) {
        int r = registerOwnDeferred(node, child);
        if (r != OWN_CHECK_PENDING) {
            return r == 1; // final states: the shared path registered it
        }
        // The release store above and this fence are the store half of the Dekker pair
        // with cancel (see "Own children"): a cancel may have walked the chunks before
        // the store, so the read that follows decides whether the child is born
        // cancelled. If the canceller did find it, it made the child's token first, and
        // its cancel() covers it.
        VarHandle.fullFence();
        return bornCancelledAfterFence(node, child);
    }

    /**
     * Owner only: a free slot of the own chunks, as chunk number << 8 | position,
     * growing the chunks after a poor lap (see "Own children").
     */
    private int takeSlot() {
        for (;;) {
            if (lapLeft == 0) {
                if (lapUsed * 2 < capacity || capacity == 0) {
                    grow();
                }
                lapLeft = capacity;
                lapUsed = 0;
            }
            GreenThread<?>[][] cs = chunks;
            int k = chunkAt;
            int i = slotAt;
            GreenThread<?>[] c = cs[k];
            if (++slotAt == c.length) {
                slotAt = 0;
                if (++chunkAt == cs.length) {
                    chunkAt = 0;
                }
            }
            lapLeft--;
            if (SLOT.getOpaque(c, i) == null) {
                lapUsed++;
                return k << 8 | i;
            }
        }
    }

    /** Owner only: at least doubles the own slots; the cursor moves to the first new slot. */
    private void grow() {
        GreenThread<?>[][] old = chunks;
        int n = old == null ? 0 : old.length;
        int add = Math.max(FIRST_CHUNK, capacity);
        int newChunks = (add + MAX_CHUNK - 1) / MAX_CHUNK;
        GreenThread<?>[][] cs = java.util.Arrays.copyOf(old == null ? new GreenThread<?>[0][] : old, n + newChunks);
        for (int i = 0; i < newChunks; i++) {
            cs[n + i] = new GreenThread<?>[Math.min(add, MAX_CHUNK)];
            capacity += cs[n + i].length;
        }
        chunks = cs; // volatile: a walk that follows sees the new slots (see "Own children")
        chunkAt = n;
        slotAt = 0;
    }

    /** Cancel or hand-up, by whoever took the kids (see "Own children"): each live own child, with volatile reads. */
    private void forEachLiveOwn(java.util.function.Consumer<GreenThread<?>> action) {
        GreenThread<?>[][] cs = chunks;
        if (cs == null) {
            return;
        }
        for (GreenThread<?>[] c : cs) {
            for (int i = 0; i < c.length; i++) {
                GreenThread<?> t = (GreenThread<?>) SLOT.getVolatile(c, i);
                if (t != null && !t.isDone()) {
                    action.accept(t);
                }
            }
        }
    }

    /**
     * The completer of {@code g} (see "Ending"), once, before g's status leaves
     * ALIVE. Its live children (if it has a token) are handed to the node it was
     * registered under, so they stay reachable from its ancestors; then it
     * clears its own link. Touches no other node when it has no children.
     * Children found under a cancelled ancestor are cancelled here.
     */
    static void threadEnded(GreenThread<?> g) {
        cancelAdopted(threadEndedLate(g));
    }

    /**
     * As {@link #threadEnded}, for g's own end (GreenThread.finish): takes no monitor
     * and runs no callback. The children that a cancelled ancestor took (see "Orphans")
     * are returned instead of cancelled (null if none), for {@link #cancelAdopted} once
     * g's status is written: their onCancel actions may park g, which close could then
     * strand, and a stranded thread is completed by close only after that write
     * (RuntimeCore.completeStranded; StrandedHandUpCloseTest).
     */
    static ArrayList<GreenThread<?>> threadEndedLate(GreenThread<?> g) {
        ArrayList<GreenThread<?>> late = null;
        Object k = g.kin;
        if (k instanceof CancelNode n && n.owner == g) {
            Object h;
            do {
                h = n.kids;
            } while (h != CANCELLED && h != ENDED && !KIDS.compareAndSet(n, h, ENDED));
            if (h != CANCELLED && h != ENDED) { // this thread took its children
                if (n.parent != null) {
                    ArrayList<GreenThread<?>> toCancel = new ArrayList<>(0);
                    if (h instanceof Link chain) {
                        n.parent.adopt(chain, toCancel);
                    }
                    n.forEachLiveOwn(t -> n.parent.adoptOne(t, toCancel));
                    late = toCancel.isEmpty() ? null : toCancel;
                } else {
                    // A root's node: no live node is left above its children, so they are
                    // re-pointed to none (see "Orphans"). Before, they kept pointing at this
                    // ended node, which kept this thread reachable for as long as they lived.
                    if (h instanceof Link chain) {
                        for (Link l = chain; l != null; l = l.next()) {
                            GreenThread<?> t = l.live();
                            if (t != null) {
                                reparent(t, null);
                            }
                        }
                    }
                    n.forEachLiveOwn(t -> reparent(t, null));
                }
                n.chunks = null; // no slot is used again (kids is final); the garbage collector may have them
            }
        }
        Object mine = g.kinLink;
        if (mine instanceof Link l) {
            g.kinLink = null;
            l.clear();
        } else if (mine != null) {
            // An own slot of the spawner's (see "Own children"): one plain store, no atomic.
            g.kinLink = null;
            SLOT.setOpaque((GreenThread<?>[]) mine, g.kinPos & 0xff, (GreenThread<?>) null);
        }
        return late;
    }

    /** Cancels the children {@link #threadEndedLate} returned (null: none). */
    static void cancelAdopted(ArrayList<GreenThread<?>> late) {
        if (late != null) {
            for (GreenThread<?> t : late) {
                if (!t.isDone()) {
                    of(t).cancel();
                }
            }
        }
    }

    /**
     * Takes over the live children on {@code chain}, the chain of a finished child (see
     * "Orphans"); those to cancel go to {@code toCancel}.
     */
    private void adopt(Link chain, ArrayList<GreenThread<?>> toCancel) {
        for (Link l = chain; l != null; l = l.next()) {
            GreenThread<?> t = l.live();
            if (t != null) {
                adoptOne(t, toCancel);
            }
        }
    }

    private void adoptOne(GreenThread<?> t, ArrayList<GreenThread<?>> toCancel) {
        Link link = null;
        CancelNode n = this;
        for (;;) {
            Object h = n.kids;
            if (h == CANCELLED) {
                if (!t.isDone()) {
                    toCancel.add(t);
                }
                return;
            }
            if (h == ENDED) {
                if (n.parent == null) {
                    reparent(t, null); // no live ancestor left to cancel through
                    return;
                }
                n = n.parent;
                continue;
            }
            if (link == null) {
                link = new Link(t);
            }
            link.setNext((Link) h);
            // Before the push: a later adopter of t (n ends) re-points it after this one.
            reparent(t, n);
            if (KIDS.compareAndSet(n, h, link)) {
                t.kinLink = link;
                n.registered();
                return;
            }
        }
    }

    /**
     * An adopter of {@code t}: t is registered under {@code n} now (null: under no live
     * node), not under the ended node it was (see "Orphans"), so the ended nodes (and
     * their threads) are not kept reachable from t, nor walked by its own hand-up.
     */
    private static void reparent(GreenThread<?> t, CancelNode n) {
        for (;;) {
            Object k = t.kin;
            if (k instanceof CancelNode m && m.owner == t) {
                PARENT.setOpaque(m, n);
                return;
            }
            if (k == n || t.casKin(k, n)) {
                return;
            }
        }
    }

    /** After a registration on this node: counts it and sweeps when due (see "Sweeping"). */
    private void registered() {
        if (++pushes >= sweepAt) {
            sweep();
        }
    }

    /** Unlinks dead links (see "Sweeping"); returns at once if another sweep runs. */
    private void sweep() {
        if (!SWEEPING.compareAndSet(this, 0, 1)) {
            return;
        }
        try {
            Object h = kids;
            int kept = 0;
            if (h instanceof Link head) {
                Link pred = head;
                kept = 1;
                Link q = head.next();
                while (q != null) {
                    Link s = q.next();
                    if (q.live() != null) {
                        if (pred.next() != q) {
                            pred.setNext(q);
                        }
                        pred = q;
                        kept++;
                    }
                    q = s;
                }
                if (pred.next() != null) {
                    pred.setNext(null);
                }
            }
            pushes = 0;
            sweepAt = Math.max(SWEEP_MIN, kept);
        } finally {
            SWEEPING.setRelease(this, 0);
        }
    }

    /** Any thread: the standard exception of a cancelled or interrupted wait. */
    public static CancelledException cancelledException(String operation) {
        return new CancelledException(operation + " was cancelled (the green thread's token is cancelled or the "
                + "thread was interrupted): " + Thread.currentThread());
    }

    // ------------------------------------------------------------------ CancelToken

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void cancel() {
        if (cancelled || (owner != null && owner.isDone())) {
            return;
        }
        ArrayList<CancelNode> work = new ArrayList<>();
        work.add(this);
        while (!work.isEmpty()) {
            CancelNode n = work.removeLast();
            Object cbs;
            Object h;
            synchronized (n) {
                if (n.cancelled) {
                    continue;
                }
                // The children first, then the mark (see "Cancellation"): an owner that
                // sees cancelled and ends finds kids CANCELLED and leaves them to this walk.
                do {
                    h = n.kids;
                } while (h != CANCELLED && h != ENDED && !KIDS.compareAndSet(n, h, CANCELLED));
                if (h == ENDED) {
                    // The owner ended first (its threadEnded took kids): cancelling a finished
                    // thread is a no-op, so its onCancel actions do not run (see "Cancellation").
                    continue;
                }
                n.cancelled = true;
                cbs = n.callbacks;
                n.callbacks = null;
            }
            io.verdant.internal.sched.Faults.cancelMarked();
            if (n.owner != null && !n.owner.isDone()) {
                n.owner.interrupt();
            }
            if (cbs instanceof Reg r) {
                r.runOnce();
            } else if (cbs != null) {
                @SuppressWarnings("unchecked")
                ArrayList<Reg> list = (ArrayList<Reg>) cbs;
                for (Reg r : list) {
                    r.runOnce();
                }
            }
            if (h == CANCELLED || h == ENDED) {
                continue; // someone else took the children (or the owner ended and handed them up)
            }
            for (Link l = h instanceof Link chain ? chain : null; l != null; l = l.next()) {
                GreenThread<?> g = l.live();
                if (g != null) {
                    work.add(of(g));
                }
            }
            n.forEachLiveOwn(g -> work.add(of(g)));
        }
    }

    /**
     * Any thread: cancels {@code g}, and tells whether the cancellation took
     * its children (true) or {@code g} had ended first and handed them up
     * (false). Who moved g's kids to a final value decides, once (see "The kids
     * field"): CANCELLED, this cancel's CAS or an earlier cancel's, or ENDED (or
     * no token at all when g is done: it had no own children). Either way the
     * answer is final and agrees with where g's children went: cancelled with
     * it, or registered under the node above. Green.withTimeout uses it to
     * decide between "timed out" and "completed" consistently with them.
     *
     * @param g the thread to cancel
     * @return true if g's children (if any) were cancelled with it, false if g ended first
     */
    public static boolean cancelTakingChildren(GreenThread<?> g) {
        CancelNode n = of(g);
        n.cancel();
        Object h = n.kids;
        // cancel() returns without the CAS only if n was cancelled (kids CANCELLED) or g was
        // done: then kids is ENDED, or null (g made no token, so had no own children).
        return h == CANCELLED;
    }

    @Override
    public Registration onCancel(Runnable action) {
        Objects.requireNonNull(action, "action");
        Reg r = new Reg(this, action);
        synchronized (this) {
            if (!cancelled) {
                if (callbacks == null) {
                    callbacks = r;
                } else if (callbacks instanceof Reg first) {
                    ArrayList<Reg> list = new ArrayList<>(4);
                    list.add(first);
                    list.add(r);
                    callbacks = list;
                } else {
                    @SuppressWarnings("unchecked")
                    ArrayList<Reg> list = (ArrayList<Reg>) callbacks;
                    list.add(r);
                }
                return r;
            }
        }
        r.runOnce();
        return r;
    }

    /** Registers a green thread spawned with Spawner.cancelWith(this). */
    public static boolean registerUnder(CancelToken token, GreenThread<?> child) {
        return register((CancelNode) token, child);
    }

    @Override
    public String toString() {
        return "CancelToken[" + (owner != null ? owner.toString() : "standalone") + (cancelled ? ", cancelled]" : "]");
    }

    // ------------------------------------------------------------------ internals

    /** Tests only: the number of live children registered on this node now, chain and own slots (a snapshot). */
    int registeredChildren() {
        int[] n = {0};
        for (Link l = kids instanceof Link chain ? chain : null; l != null; l = l.next()) {
            if (l.live() != null) {
                n[0]++;
            }
        }
        forEachLiveOwn(t -> n[0]++);
        return n[0];
    }

    /**
     * Tests only: the threads this node still references, on its chain or in its own
     * slots, ended or not (a snapshot): what keeps them, and their runtimes, reachable.
     */
    int referencedThreads() {
        int n = 0;
        for (Link l = kids instanceof Link chain ? chain : null; l != null; l = l.next()) {
            if (l.thread() != null) {
                n++;
            }
        }
        GreenThread<?>[][] cs = chunks;
        if (cs != null) {
            for (GreenThread<?>[] c : cs) {
                for (int i = 0; i < c.length; i++) {
                    if (SLOT.getVolatile(c, i) != null) {
                        n++;
                    }
                }
            }
        }
        return n;
    }

    /** Tests only: the number of links on this node's chain now, dead ones included (a snapshot). */
    int chainLength() {
        int n = 0;
        for (Link l = kids instanceof Link chain ? chain : null; l != null; l = l.next()) {
            n++;
        }
        return n;
    }

    /** Tests only: the number of own slots (free, used or not yet cleared); a snapshot. */
    int ownSlots() {
        GreenThread<?>[][] cs = chunks;
        int n = 0;
        if (cs != null) {
            for (GreenThread<?>[] c : cs) {
                n += c.length;
            }
        }
        return n;
    }

    /**
     * Tests only, at rest: every live child on this node's chain or in its own slots
     * knows its slot, and appears once.
     */
    boolean linksConsistent() {
        java.util.Set<GreenThread<?>> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Link l = kids instanceof Link chain ? chain : null; l != null; l = l.next()) {
            GreenThread<?> t = l.live();
            if (t != null && (t.kinLink != l || !seen.add(t))) {
                return false;
            }
        }
        GreenThread<?>[][] cs = chunks;
        if (cs != null) {
            for (GreenThread<?>[] c : cs) {
                for (int i = 0; i < c.length; i++) {
                    GreenThread<?> t = (GreenThread<?>) SLOT.getVolatile(c, i);
                    if (t != null && !t.isDone() && (t.kinLink != c || (t.kinPos & 0xff) != i || !seen.add(t))) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** Tests only: the number of onCancel actions registered now; a snapshot. */
    synchronized int callbackCount() {
        return callbacks == null ? 0 : callbacks instanceof ArrayList<?> list ? list.size() : 1;
    }

    private synchronized boolean removeCallback(Reg r) {
        if (callbacks == r) {
            callbacks = null;
            return true;
        }
        if (callbacks instanceof ArrayList<?> list) {
            return list.remove(r);
        }
        return false;
    }

    private static final class Reg implements Registration {
        private final CancelNode node;
        private Runnable action;

        Reg(CancelNode node, Runnable action) {
            this.node = node;
            this.action = action;
        }

        void runOnce() {
            Runnable a;
            synchronized (this) {
                a = action;
                action = null;
            }
            if (a != null) {
                try {
                    a.run();
                } catch (Throwable t) {
                    OffThreadLog.log(LOG, System.Logger.Level.WARNING, "onCancel callback of " + node + " threw", t);
                }
            }
        }

        @Override
        public boolean remove() {
            node.removeCallback(this);
            synchronized (this) {
                boolean had = action != null;
                action = null;
                return had;
            }
        }
    }

    private static final VarHandle KIDS;
    private static final VarHandle PARENT;
    private static final VarHandle SWEEPING;
    private static final VarHandle LINK_THREAD;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(GreenThread[].class);
    private static final VarHandle LINK_NEXT;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            KIDS = l.findVarHandle(CancelNode.class, "kids", Object.class);
            PARENT = l.findVarHandle(CancelNode.class, "parent", CancelNode.class);
            SWEEPING = l.findVarHandle(CancelNode.class, "sweeping", int.class);
            LINK_THREAD = l.findVarHandle(Link.class, "thread", GreenThread.class);
            LINK_NEXT = l.findVarHandle(Link.class, "next", Link.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
