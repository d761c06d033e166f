package io.verdant.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.IntSupplier;

/**
 * The runtime's slot table: pid index -> live green thread. A pid is
 * (index, generation); freeing a slot bumps its generation, so an old pid that
 * names a reused slot is detected as stale, never silently aliased.
 *
 * <pre>
 * Layout
 *   pages[i >>> pageShift][i & pageMask] holds the thread in slot i (or null);
 *   generations, same layout, holds the generation of the slot's next occupant. Pages are
 *   allocated on demand, under the lock; the pages arrays only grow (copy on grow).
 *   A normal runtime's pages hold 4,096 slots; a deterministic runtime's 64
 *   (SMALL_PAGE_SHIFT): one is made per schedule of an exploration, most
 *   schedules have a few green threads, and a first page of 4,096 slots was
 *   32 KB to zero per schedule (most of a schedule's allocation).
 *   snapshot() reads only the slots below nextIndex (the indices ever handed
 *   out), not whole pages.
 *
 * Free indices: per-carrier caches in front of one locked pool (issue 11)
 *   Every spawn and every exit used to take one global lock, and a parent
 *   spawning on one carrier while its children ended on the other fought for
 *   it on every operation. Now each carrier of the runtime has a {@link Local}
 *   cache of free indices (LOCAL_MAX, more only while the lock is busy), used
 *   only by code running on that carrier: allocate pops from it, a free of an
 *   index it handed out pushes to it (any other goes home: see "Home
 *   carriers"), with no lock and no atomic. Only when the cache is empty (allocate) or
 *   full (free) does the caller take the lock, and then it moves BATCH indices
 *   at once between the cache and the shared pool (or fresh indices from
 *   nextIndex). A free never waits for the lock: if it is taken, the full cache
 *   keeps the index and grows (releaseFull: waiting there made thread exits
 *   convoy behind a descheduled holder). Callers that
 *   are not running on one of the runtime's carriers (platform threads, the
 *   closing thread, a deterministic runtime) use the pool under the lock.
 *   Which carrier the caller runs on is asked of {@code carrierOfCaller}
 *   (RuntimeCore.carrierOfCaller: -1 for none). It stays valid until the
 *   caller next unmounts, so a caller asks after everything that may unmount
 *   it (a park, a contended monitor, user code) and passes the answer here
 *   directly: inside, nothing can unmount it (the lock is a spin lock that may
 *   yield, and so move the caller to another carrier, only while acquiring,
 *   which is why allocate's slow path asks again once it holds it; a free on a
 *   carrier only tries the lock, never waits). RuntimeCore.create asks right
 *   before allocate(t, carrier), after the virtual thread's construction,
 *   which runs the spawner's InheritableThreadLocal.childValue: a spawner that
 *   parked there and came back on the other carrier used the first carrier's
 *   cache beside that carrier's own threads and could hand one index to two
 *   threads (SpawnCarrierMoveTest). GreenThread.finish asks once and passes
 *   the answer (free(t, carrier)) to the live count as well (issue 11).
 *   Reuse stays LIFO per carrier (a recently freed index, hot in cache, is
 *   taken first).
 *
 * Home carriers: a freed index goes back to the carrier that handed it out (issue 11)
 *   Every index in carrier H's cache has home H: homes[i] = H + 1, written
 *   when the index enters H's cache from the pool or fresh (allocate's slow
 *   path, under the lock, BATCH at a time), or when H frees an index that has
 *   no home (0: taken from the pool by a caller on no carrier). Batches sent
 *   home keep it. So the spawn's fast path writes no home, and a home changes
 *   only while its index is free and held by the writer. (A byte in
 *   GreenThread would have grown the record from 104 to 112 bytes.) A free
 *   reads the home after its CAS of the slot, which read the publication
 *   that followed the home's write. A free on H itself pushes the index to H's
 *   cache, as above. A free on another carrier X appends it to X's outgoing
 *   batch for H (out[H], X's own field), and once that batch holds BATCH
 *   indices pushes it, by one CAS, on H's inbox (a Treiber stack of Batch).
 *   H, with its cache empty, pops one batch of its inbox before it takes the
 *   lock. So a carrier spawning while its children end on the other reuses
 *   only indices it handed out itself (their generation words only it
 *   writes) and takes no lock; the other
 *   carrier writes the slot (its CAS to null), its own batch and, once per
 *   BATCH exits, the inbox's line. (Before, an index freed on X went to X's
 *   cache: X's own spawns then reused H's indices, and, when X did not spawn,
 *   the indices travelled through the locked pool, a lock on both carriers
 *   per BATCH children.) A free by a caller on no carrier (close, a withdrawn
 *   spawn from a platform thread) goes to the pool under the lock, as before.
 *   Who touches what:
 *     indices, count, out, outCount   the Local's carrier only (plain);
 *     inbox                           any carrier pushes (CAS); the Local's carrier
 *                                     pops (CAS), and so may an allocator holding
 *                                     the lock (reclaimLocked);
 *     free, freeCount, nextIndex      under the lock;
 *     generations[i]                  whoever allocates index i (its home);
 *     homes[i]                        whoever holds index i free (see above).
 *   A Batch is made per push and never pushed again, so a pop's CAS from a
 *   node to its next cannot be fooled by the node's return (no ABA), and its
 *   indices and depth, written before the pushing CAS, are read after the
 *   popping read of inbox (volatile): the popper sees them, and, through the
 *   chain home's publication -> the freer's CAS of the slot -> the push -> the
 *   pop, the generation the home advanced, when the popper is not the home.
 *   One place per free index still holds: a carrier's cache, an outgoing
 *   batch, an inbox batch, the pool, or none yet (nextIndex and above).
 *
 * Bounded (one carrier spawns, another ends every thread)
 *   A fresh index is taken only under the lock, with the pool empty and no
 *   inbox holding two batches or more (reclaimLocked first moves such a
 *   batch, beyond its owner's next refill, to the pool: a carrier that spawns
 *   no more does not keep what was sent home to it). So the free indices are
 *   then at most the caches (LOCAL_MAX each, more while the lock is busy), one
 *   batch per inbox and fewer than BATCH per outgoing batch: the table grows
 *   to the peak of live threads plus about carriers * (LOCAL_MAX + BATCH *
 *   (carriers + 1)), never with the number of threads spawned
 *   (PidTableHomeTest). A retired spare carrier's batches wait for the next
 *   spare given its index; its inbox is reclaimed as above.
 *
 * Failure atomicity (an OutOfMemoryError while freeing)
 *   Every free index is in exactly one place: one carrier's cache, an outgoing
 *   batch, an inbox or the pool (or not yet handed out, at or above
 *   nextIndex). A free that needs memory (the pool's array, or a carrier's
 *   cache, growing; sendHome's batch arrays) allocates before it changes
 *   anything (a batch that is full when its push fails keeps the index, and
 *   the next free there pushes it): releaseFull reserves the pool's room for the whole batch
 *   it moves, and only then copies the batch and shrinks the cache. So an
 *   OutOfMemoryError thrown there leaves the cache and the pool as they were;
 *   the index being freed (its slot already emptied) is then in neither, and
 *   is never handed out again, like a retired one: one index lost per failure,
 *   never one index in two places. Before, the batch was pushed one index at a
 *   time and the pool grew in the middle: a failure there left the indices
 *   already pushed in the pool and still in the cache, and later allocations
 *   handed each of them to two threads (PidTableOutOfMemoryTest, with the
 *   failure injected at the fault site POOL_GROWING).
 *   free then returns true, not the error: the slot is empty, so its caller
 *   must still complete the thread. (The error escaped an exit's free, and the
 *   thread stayed alive for ever, its join hung: ExitIndexReleaseOutOfMemoryTest.)
 *
 * Generations and stale pids (exact)
 *   A slot's occupants are numbered 0 to LAST_GENERATION (Integer.MAX_VALUE);
 *   the index of the last is never made available again (free and the
 *   withdrawal of a publication skip the release), so a generation never
 *   wraps and no pid ever names a later occupant, however long it is kept.
 *   (Reuse is LIFO per carrier: a spawn-and-join loop reuses one slot, and at
 *   about 170 ns a round it would reach the last generation in some six
 *   minutes; one index in 2^31 reuses is retired, 4 bytes of slot.)
 *   The allocation of an index takes the slot's generation for its thread and
 *   advances it for the next occupant (generations[i] = g + 1), before the
 *   thread is published. free clears the slot by CAS from its thread (so a
 *   second free, or a free racing abandon, changes nothing) and makes the
 *   index available again: to the same carrier's later allocate (program
 *   order on one OS thread) or through the lock (happens-before). So the next
 *   allocation of the index reads the advanced generation, and a pid (index,
 *   old generation) never matches the new occupant. Occupants are numbered 0,
 *   1, 2, ... per slot, as when free advanced the generation.
 *   Why at allocation (issue 11): only allocators touch the generations
 *   array, so a thread ending on one carrier writes one line of the table
 *   (its slot) instead of two, when its spawner runs on the other carrier.
 *
 * Lookup (any thread, no lock)
 *   reads the volatile pages array, then the slot with acquire; a slot is
 *   published after the thread's index and generation fields are written, and
 *   those never change afterwards.
 *
 * Closing (RuntimeCore.close against a racing spawn)
 *   closeAndSnapshot() sets {@code closed} (volatile), fences, and copies the live
 *   threads. An allocation publishes its thread with a release store and a
 *   full fence (VarHandle.fullFence, which also serves the spawner's cancel
 *   registration: CancelNode, "One fence per spawn"), then reads
 *   {@code closed}: a Dekker pair, so either the allocation sees closed
 *   (it clears its slot again and returns false: the spawn fails with "runtime
 *   closed") or close's snapshot sees the thread (and close cancels it). A
 *   thread close saw and whose allocation then failed is never started; close
 *   cancelling it is harmless. No thread can be registered after close's
 *   snapshot and escape its cancellation.
 *
 * The slot's emptier completes the thread (issue 11)
 *   A published thread leaves ALIVE exactly once, and whoever empties its slot
 *   (free's CAS from the thread to null; at most one caller wins it) is the one
 *   that completes it: the thread itself when it ends (GreenThread.finish),
 *   close (GreenThread.abandon), the spawner withdrawing a publication (publish,
 *   when it sees closed) or undoing a failed spawn (RuntimeCore.create). So the
 *   completer writes the status with a release store, not a CAS: one locked
 *   instruction less per exit. A thread never published (refused, or a spawn
 *   that failed before) is completed by its spawner, the only one that knows
 *   it. allocate therefore says which: PUBLISHED; REFUSED (closed, and the
 *   spawner's withdrawal emptied the slot, or it was never filled: the spawner
 *   completes the thread); TAKEN (closed, and close's snapshot saw the thread
 *   and emptied the slot first: close completes it, and the spawner must not).
 *
 * Counting a spawn (RuntimeCore's live count)
 *   allocate(t, carrier, live) adds the spawn's +1 right before the
 *   publication, on the carrier it runs on then, and a withdrawal takes it
 *   back: nothing from the +1 to the publication or the withdrawal unmounts
 *   the caller. A +1 made earlier in the spawn was lost when the spawner
 *   unmounted before its publication (childValue parked, this table's lock
 *   yielded) and close stopped the carriers meanwhile: close abandons such a
 *   spawner, which is never resumed, and its unpublished child stayed counted
 *   forever (SpawnerUnmountedAtCloseTest). Counted this way, a published
 *   thread is counted (close, or its end, undoes it) and an unpublished one
 *   is not.
 * </pre>
 */
final class PidTable {
    /** Slots per page of a normal runtime's table: 4,096 (16 KB of references, 16 KB of generations). */
    static final int PAGE_SHIFT = 12;
    /**
     * Slots per page of a deterministic runtime's table: 64, so a schedule with
     * a few green threads allocates 512 bytes of pages, not 32 KB. Chosen, not
     * measured against other sizes; 32 KB per schedule was measured (JFR
     * allocation samples: 73 % of a schedule's bytes).
     */
    static final int SMALL_PAGE_SHIFT = 6;
    /** Most free indices one carrier keeps: a burst of this many exits needs no lock.
     * 4 KB per carrier index. Chosen, not measured. */
    static final int LOCAL_MAX = 1024;
    /**
     * Indices moved between a carrier's cache and the pool per lock: the lock is taken
     * once per this many spawns (or exits) of a carrier at most; also the size of a
     * batch sent home (see "Home carriers"), one CAS per this many exits. 256 (was 64):
     * when one carrier spawned and the other ended the threads (spawn at 2 workers),
     * every index travelled through the pool (it goes home now), and JFR samples of
     * that run put 5 % on the pool lock of the ending carrier (a loaded machine; its
     * share is rough); a quarter of the locks, for 3 KB more per carrier. Chosen, not
     * measured.
     */
    static final int BATCH = 256;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(GreenThread[].class);
    /** Local.inbox: pushed by CAS from any carrier, popped by CAS (see "Home carriers"). */
    private static final VarHandle INBOX;

    static {
        try {
            INBOX = MethodHandles.lookup().findVarHandle(LocalInbox.class, "inbox", Batch.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** Carrier indices that can be an index's home (homes holds a byte, the carrier plus one). */
    static final int MAX_HOMES = 255;
    /** A slot's last occupant's generation: its index is never reused (see "Generations and stale pids"). */
    static final int LAST_GENERATION = Integer.MAX_VALUE;
    /** {@link #allocate(GreenThread, int)}: the thread is in its slot (live). */
    static final int PUBLISHED = 0;
    /** {@link #allocate(GreenThread, int)}: closed; the thread is in no slot and the caller completes it. */
    static final int REFUSED = 1;
    /** {@link #allocate(GreenThread, int)}: closed, and close emptied the slot first: close completes the thread. */
    static final int TAKEN = 2;

    /** Publishes a fully set-up thread in its slot (pairs with {@link #slotAcquire}); publish() fences after it. */
    private static void setSlotRelease(GreenThread<?>[] page, int i, GreenThread<?> t) {
        SLOT.setRelease(page, i, t);
    }

    /** Empties a slot only if it still holds {@code expect}: of a finishing thread, abandon and a withdrawn publication, one wins. */
    private static boolean casSlot(GreenThread<?>[] page, int i, GreenThread<?> expect, GreenThread<?> update) {
        return SLOT.compareAndSet(page, i, expect, update);
    }

    /** Any thread: the thread in a slot, with everything written before its publication. */
    private static GreenThread<?> slotAcquire(GreenThread<?>[] page, int i) {
        return (GreenThread<?>) SLOT.getAcquire(page, i);
    }

    private final io.verdant.internal.sync.SpinLock lock = new io.verdant.internal.sync.SpinLock();
    private volatile GreenThread<?>[][] pages = new GreenThread<?>[4][];
    private volatile int[][] generations = new int[4][];
    /** Each index's home carrier plus one, 0 for none (see "Home carriers"); same layout;
     * null in a table with no carrier caches. Grown with the pages, before them. */
    private volatile byte[][] homes;
    /** The shared pool of free indices. Guarded by lock. */
    private int[] free = new int[64];
    private int freeCount;
    /** The next index never used. Written under lock; volatile so snapshot() may bound its scan without it. */
    private volatile int nextIndex;
    /** log2 of the slots per page (PAGE_SHIFT, or SMALL_PAGE_SHIFT in a deterministic runtime). */
    private final int pageShift;
    private final int pageMask;
    /** Set once by closeAndSnapshot (under lock); later allocations fail. */
    private volatile boolean closed;
    /** One cache per carrier index; see "Free indices". */
    private final Local[] locals;
    private final IntSupplier carrierOfCaller;

    /** A table with no carrier caches (every operation takes the lock): tests, and any thread. */
    PidTable() {
        this(0, () -> -1);
    }

    /**
     * @param carriers        the number of carrier indices (cores plus spare slots)
     * @param carrierOfCaller the index of the carrier the caller runs on, or -1
     */
    PidTable(int carriers, IntSupplier carrierOfCaller) {
        this(carriers, carrierOfCaller, PAGE_SHIFT);
    }

    /**
     * @param carriers        the number of carrier indices (cores plus spare slots)
     * @param carrierOfCaller the index of the carrier the caller runs on, or -1
     * @param pageShift       log2 of the slots per page (PAGE_SHIFT or SMALL_PAGE_SHIFT)
     */
    PidTable(int carriers, IntSupplier carrierOfCaller, int pageShift) {
        this.pageShift = pageShift;
        this.pageMask = (1 << pageShift) - 1;
        this.locals = new Local[carriers];
        this.homes = carriers > 0 ? new byte[4][] : null;
        for (int i = 0; i < carriers; i++) {
            locals[i] = new Local();
        }
        this.carrierOfCaller = carrierOfCaller;
    }

    /**
     * One carrier's free indices (see "Free indices" and "Home carriers"): the cache
     * and the outgoing batches are touched only by code running on that carrier; the
     * inbox by anyone (push by CAS; pop by the carrier, or by an allocator holding the
     * lock). Padded so that the inbox, which other carriers write, shares no line with
     * the carrier's own fields, nor with a neighbour's.
     */
    static final class Local extends LocalInbox {
        @SuppressWarnings("unused") private long q0, q1, q2, q3, q4, q5, q6, q7;
    }

    /** Padding in front of a carrier's cache: two carriers' counts never share a cache line. */
    abstract static class LocalPad {
        @SuppressWarnings("unused") private long p0, p1, p2, p3, p4, p5, p6, p7;
    }

    /** The cache itself; see {@link Local}. indices grows past LOCAL_MAX only while the lock is busy (see releaseFull). */
    abstract static class LocalFields extends LocalPad {
        int[] indices = new int[LOCAL_MAX];
        int count;
        /** Indices this carrier freed for another home carrier: out[home] holds outCount[home]
         * of them (fewer than BATCH between frees); made on the first such free. */
        int[][] out;
        int[] outCount;
    }

    /** Padding between a carrier's own fields and its inbox. */
    abstract static class LocalMidPad extends LocalFields {
        @SuppressWarnings("unused") private long m0, m1, m2, m3, m4, m5, m6, m7;
    }

    /** The batches other carriers returned to this one: a Treiber stack, newest first (see "Home carriers"). */
    abstract static class LocalInbox extends LocalMidPad {
        volatile Batch inbox;
    }

    /**
     * BATCH indices freed on one carrier for another's cache. Immutable once pushed
     * (indices and depth are written before the pushing CAS); never pushed twice, so a
     * pop's CAS cannot succeed on a node that left and came back (no ABA).
     */
    static final class Batch {
        final int[] indices;
        Batch next;
        /** Batches from this one down, itself included: the inbox's length when it was pushed. */
        int depth;

        Batch(int[] indices) {
            this.indices = indices;
        }
    }

    private Local localOrNull(int carrier) {
        return carrier >= 0 && carrier < locals.length ? locals[carrier] : null;
    }

    /**
     * Any thread. Assigns {@code t} a slot and writes its index and generation;
     * returns false (and leaves {@code t} unregistered) once the table is closed.
     */
    boolean allocate(GreenThread<?> t) {
        return allocate(t, carrierOfCaller.getAsInt()) == PUBLISHED;
    }

    /**
     * As {@link #allocate(GreenThread)}, with the caller's carrier already known:
     * {@code carrier} is what {@code carrierOfCaller} answered since the caller
     * last unmounted (RuntimeCore.create asks once per spawn for this and the live
     * count). The slow path asks again once it holds the lock, as before.
     * Returns {@link #PUBLISHED}, {@link #REFUSED} or {@link #TAKEN} (see "The
     * slot's emptier completes the thread").
     */
    int allocate(GreenThread<?> t, int carrier) {
        return allocate(t, carrier, null);
    }

    /**
     * As {@link #allocate(GreenThread, int)}, counting the thread in {@code live}
     * (if not null) right before its publication, on the carrier the caller runs on
     * then, and undoing that if the publication is withdrawn: the spawn is counted
     * only once nothing can unmount its spawner before the publication (see
     * "Counting a spawn"). So PUBLISHED and TAKEN leave it counted, REFUSED not.
     */
    int allocate(GreenThread<?> t, int carrier, LiveCount live) {
        Local l = localOrNull(carrier);
        if (l != null && (l.count > 0 || takeBatch(l, l))) {
            return publish(t, l.indices[--l.count], l, carrier, live);
        }
        int index;
        lock.lock();
        try {
            if (closed) {
                return REFUSED;
            }
            // Asked again: acquiring the lock may have moved the caller to another carrier.
            carrier = carrierOfCaller.getAsInt();
            l = localOrNull(carrier);
            if (l == null) {
                index = takeLocked();
                if (homes != null) {
                    setHome(index, (byte) 0);
                }
            } else {
                if (l.count == 0 && !takeBatch(l, l)) {
                    byte home = homeByte(carrier);
                    while (l.count < BATCH) {
                        int i = takeLocked();
                        setHome(i, home);
                        l.indices[l.count++] = i;
                    }
                }
                index = l.indices[--l.count];
            }
        } finally {
            lock.unlock();
        }
        return publish(t, index, l, carrier, live);
    }

    /** Tests: the lock of the shared pool. */
    io.verdant.internal.sync.SpinLock poolLock() {
        return lock;
    }

    /**
     * Under lock: a free index from the pool, else from a batch another carrier's inbox
     * holds beyond its next refill, else a fresh one (growing the pages).
     */
    private int takeLocked() {
        if (freeCount > 0) {
            return free[--freeCount];
        }
        if (reclaimLocked()) {
            return free[--freeCount];
        }
        int index = nextIndex;
        nextIndex = index + 1;
        int page = index >>> pageShift;
        GreenThread<?>[][] ps = pages;
        int[][] gs = generations;
        byte[][] hs = homes;
        if (page >= ps.length) {
            ps = java.util.Arrays.copyOf(ps, ps.length * 2);
            gs = java.util.Arrays.copyOf(gs, ps.length);
            hs = hs == null ? null : java.util.Arrays.copyOf(hs, ps.length);
        }
        if (ps[page] == null) {
            // generations and homes first: a thread that reads the new pages array finds them.
            gs[page] = new int[pageMask + 1];
            generations = gs;
            if (hs != null) {
                hs[page] = new byte[pageMask + 1];
                homes = hs;
            }
            ps[page] = new GreenThread<?>[pageMask + 1];
            pages = ps;
        }
        return index;
    }

    /**
     * The allocating thread, holding {@code index} (from {@code l}, or from the pool
     * if {@code l} is null) and running on {@code carrier}: publishes {@code t} there
     * unless the table closed, counted in {@code live} if not null.
     */
    private int publish(GreenThread<?> t, int index, Local l, int carrier, LiveCount live) {
        int page = index >>> pageShift;
        int slot = index & pageMask;
        int[] gens = generations[page];
        int generation = gens[slot];
        gens[slot] = generation + 1; // the next occupant's (see "Generations and stale pids")
        t.index = index;
        t.generation = generation;
        GreenThread<?>[] p = pages[page];
        if (live != null) {
            live.add(carrier, 1L); // before the publication (see "Counting a spawn")
        }
        setSlotRelease(p, slot, t);
        // The Dekker pair's fence (see "Closing"); it also orders a cancel registration
        // the spawner made just before (CancelNode, "One fence per spawn").
        VarHandle.fullFence();
        io.verdant.internal.sched.Faults.slotPublished();
        if (!closed) {
            return PUBLISHED;
        }
        // close() may have missed t (see "Closing"): withdraw it, unless close emptied the
        // slot first and so completes t itself (see "The slot's emptier completes the thread").
        if (casSlot(p, slot, t, null)) {
            if (live != null) {
                live.add(carrier, -1L);
            }
            if (generation != LAST_GENERATION) {
                try {
                    release(index, l);
                } catch (OutOfMemoryError e) {
                    // The pool (or the cache) could not grow: the index is lost like a retired
                    // one (see "Failure atomicity"), and the spawn is still refused as closed,
                    // not failed with the error (WithdrawnSpawnOutOfMemoryTest).
                }
            }
            return REFUSED;
        }
        return TAKEN;
    }

    /**
     * Any thread (RuntimeCore.close): closes the table to new allocations and
     * returns the threads live at that instant (see "Closing").
     */
    java.util.List<GreenThread<?>> closeAndSnapshot() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        VarHandle.fullFence();
        return snapshot();
    }

    /**
     * The slot's own thread when it finishes, the thread closing the runtime
     * (abandon), or its spawner undoing a failed spawn; at most one of them frees
     * the slot, the others change nothing. Returns whether this call freed it:
     * the caller that did completes the thread (see "The slot's emptier
     * completes the thread").
     */
    boolean free(GreenThread<?> t) {
        return free(t, carrierOfCaller.getAsInt());
    }

    /**
     * As {@link #free(GreenThread)}, with the caller's carrier already known
     * ({@code carrier}: what {@code carrierOfCaller} answered since the caller last
     * unmounted; GreenThread.finish asks once per exit for this, the live count and
     * the exit counter). Returns whether this call freed the slot; once it has,
     * an OutOfMemoryError while making the index available again loses the index
     * and is not thrown (see "Failure atomicity").
     */
    boolean free(GreenThread<?> t, int carrier) {
        int index = t.index;
        GreenThread<?>[][] ps = pages;
        int page = index >>> pageShift;
        if (page >= ps.length || ps[page] == null
                || !casSlot(ps[page], index & pageMask, t, null)) {
            return false;
        }
        // The generation was advanced when the slot was allocated: nothing else to write here.
        if (t.generation != LAST_GENERATION) {
            try {
                Local l = localOrNull(carrier);
                if (l == null) {
                    release(index, null);
                } else {
                    int home = (homes[page][index & pageMask] & 0xff) - 1;
                    if (home >= 0 && home != carrier) {
                        sendHome(index, l, home);
                    } else {
                        if (home < 0) {
                            setHome(index, homeByte(carrier)); // it joins this carrier's cache
                        }
                        release(index, l);
                    }
                }
            } catch (OutOfMemoryError e) {
                // The slot is empty, so this caller must complete t: the error stops here, and
                // the index is lost like a retired one (see "Failure atomicity").
            }
        } // else the slot's last occupant: its index is retired (see "Generations and stale pids")
        return true;
    }

    /** Makes a freed index (its next generation already set at allocation) available again: to {@code l} if there is room. */
    private void release(int index, Local l) {
        if (l != null && l.count < LOCAL_MAX) {
            l.indices[l.count++] = index;
            return;
        }
        releaseFull(index, l);
    }

    /**
     * {@link #release}'s slow path: the caller's cache is full, or it has none.
     * On a carrier it never waits for the lock: if the lock is free it moves the
     * cache's oldest indices above LOCAL_MAX - BATCH to the pool, otherwise it
     * keeps the index in its cache, which grows past LOCAL_MAX until a later
     * release finds the lock free (the cache is the caller's carrier's, and
     * nothing here can unmount the caller, so {@code l} stays valid). Why
     * (issue 11, the wake benchmark): release runs on a thread's exit, and a
     * waiter for this spin lock yields; when its holder's OS thread was
     * descheduled, every thread ending on the other carrier yielded here in turn
     * (a convoy of hundreds), and each of them resumed in the compiled code it
     * had yielded in, where a branch its profile had never seen taken (the
     * cache no longer full once the lock was held) then trapped once per frame:
     * 5,599 and 7,901 deoptimizations of release in two rounds of a loaded run.
     * Callers not on a carrier (the closing thread, a withdrawn publication)
     * take the lock and push to the pool, as before.
     */
    private void releaseFull(int index, Local l) {
        if (l == null) {
            lock.lock();
            try {
                reservePoolLocked(1);
                free[freeCount++] = index;
            } finally {
                lock.unlock();
            }
            return;
        }
        if (lock.tryLock()) {
            try {
                // The oldest go to the pool, the hot top stays. The pool grows first, before
                // anything changes (see "Failure atomicity").
                int move = l.count - (LOCAL_MAX - BATCH);
                reservePoolLocked(move);
                System.arraycopy(l.indices, 0, free, freeCount, move);
                freeCount += move;
                System.arraycopy(l.indices, move, l.indices, 0, l.count - move);
                l.count -= move;
            } finally {
                lock.unlock();
            }
        } else if (l.count == l.indices.length) {
            l.indices = java.util.Arrays.copyOf(l.indices, l.count * 2);
        }
        l.indices[l.count++] = index;
    }

    /** The home byte of carrier {@code carrier}'s cache: the carrier plus one (0 past MAX_HOMES). */
    private static byte homeByte(int carrier) {
        return carrier < MAX_HOMES ? (byte) (carrier + 1) : 0;
    }

    /** The holder of free index {@code index} (see "Home carriers"), in a table with carrier caches. */
    private void setHome(int index, byte home) {
        homes[index >>> pageShift][index & pageMask] = home;
    }

    /**
     * Carrier {@code l} only (the caller runs on it): adds {@code index}, freed here,
     * to the batch for its home carrier {@code home}, and pushes the batch to that
     * carrier's inbox once it holds BATCH (see "Home carriers"). No lock, one CAS per
     * batch. What it allocates (the batch arrays) it allocates before it changes
     * anything: an OutOfMemoryError loses at most the index being freed, or leaves it
     * in a full batch that the next free here pushes (see "Failure atomicity").
     */
    private void sendHome(int index, Local l, int home) {
        if (l.out == null) {
            int[][] out = new int[locals.length][];
            l.outCount = new int[locals.length];
            l.out = out;
        }
        int[] batch = l.out[home];
        if (batch == null) {
            batch = l.out[home] = new int[BATCH];
        }
        if (l.outCount[home] == BATCH) { // a push that failed before
            pushBatch(l, home);
            batch = l.out[home];
        }
        batch[l.outCount[home]++] = index;
        if (l.outCount[home] == BATCH) {
            pushBatch(l, home);
        }
    }

    /** Carrier {@code l} only: pushes its full batch for {@code home} to that carrier's inbox and starts a new one. */
    private void pushBatch(Local l, int home) {
        io.verdant.internal.sched.Faults.batchSending(); // tests: fail these allocations
        Batch b = new Batch(l.out[home]);
        int[] next = new int[BATCH];
        l.out[home] = next;
        l.outCount[home] = 0;
        Local to = locals[home];
        for (;;) {
            Batch h = to.inbox;
            b.next = h;
            b.depth = h == null ? 1 : h.depth + 1;
            if (INBOX.compareAndSet(to, h, b)) {
                return;
            }
        }
    }

    /**
     * Pops a batch from {@code from}'s inbox into {@code into}'s empty cache; false if
     * the inbox is empty. The carrier of {@code into} only; {@code from} is that carrier
     * (its own returns) or, under the lock, another (see reclaimLocked).
     */
    private static boolean takeBatch(Local from, Local into) {
        for (;;) {
            Batch h = from.inbox;
            if (h == null) {
                return false;
            }
            if (INBOX.compareAndSet(from, h, h.next)) {
                System.arraycopy(h.indices, 0, into.indices, 0, BATCH);
                into.count = BATCH;
                return true;
            }
        }
    }

    /**
     * Under lock, with the pool empty: moves into the pool one batch of a carrier whose
     * inbox holds more than its next refill (two batches or more), so that indices sent
     * home to a carrier that spawns no more are used again rather than fresh ones (see
     * "Home carriers", "Bounded"). The pool's room is made first (see "Failure
     * atomicity"). True if the pool got a batch.
     */
    private boolean reclaimLocked() {
        for (Local o : locals) {
            Batch h = o.inbox;
            if (h != null && h.depth >= 2) {
                reservePoolLocked(BATCH);
                if (INBOX.compareAndSet(o, h, h.next)) {
                    System.arraycopy(h.indices, 0, free, freeCount, BATCH);
                    freeCount += BATCH;
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Under lock: makes room in the pool for {@code more} indices, growing it if
     * needed. The one allocation of a move to the pool, made before the move
     * changes anything (see "Failure atomicity"); the pool is unchanged if it throws.
     */
    private void reservePoolLocked(int more) {
        if (freeCount + more > free.length) {
            io.verdant.internal.sched.Faults.poolGrowing(); // tests: fail this allocation
            free = java.util.Arrays.copyOf(free, Math.max(free.length * 2, freeCount + more));
        }
    }

    /** Any thread, lock-free. The live thread with this index and generation, or null. */
    GreenThread<?> lookup(int index, int generation) {
        if (index < 0) {
            return null;
        }
        GreenThread<?>[][] ps = pages;
        int page = index >>> pageShift;
        if (page >= ps.length || ps[page] == null) {
            return null;
        }
        GreenThread<?> t = slotAcquire(ps[page], index & pageMask);
        return t != null && t.generation == generation ? t : null;
    }

    /**
     * Any thread; a snapshot of the live threads (for shutdown and diagnostics).
     * It reads the slots below nextIndex only: a thread is published after its
     * index was handed out (nextIndex written first, under the lock), so every
     * thread published before the snapshot started is below the bound it
     * reads; one published meanwhile may be missed, as with a whole-page scan.
     * closeAndSnapshot() reads the bound after closing (under the lock): no
     * index is handed out after that.
     */
    java.util.List<GreenThread<?>> snapshot() {
        java.util.ArrayList<GreenThread<?>> out = new java.util.ArrayList<>();
        int bound = nextIndex;
        GreenThread<?>[][] ps = pages;
        int size = pageMask + 1;
        for (int p = 0, base = 0; p < ps.length && base < bound; p++, base += size) {
            GreenThread<?>[] page = ps[p];
            if (page == null) {
                continue;
            }
            for (int i = 0, n = Math.min(page.length, bound - base); i < n; i++) {
                GreenThread<?> t = slotAcquire(page, i);
                if (t != null) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /** Number of occupied slots; a snapshot that counts every slot (tests and diagnostics only). */
    int live() {
        return snapshot().size();
    }

    /** Tests and diagnostics: the indices ever handed out (the table's capacity in use). */
    int indicesEverUsed() {
        return nextIndex;
    }

    /** Tests only, with no thread in {@code index}'s slot: the generation its next occupant gets. */
    void nextGeneration(int index, int generation) {
        generations[index >>> pageShift][index & pageMask] = generation;
    }
}
