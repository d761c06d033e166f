package io.verdant.internal.obs;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A ring of trace events written by one thread (a carrier, or the ticker) and
 * read by any number of others: a preallocated {@code long[]} of fixed-size
 * events, overwritten oldest first. Writing never blocks, never allocates and
 * never fails; a reader that falls behind loses the overwritten events and is
 * told how many (see {@link #copy}).
 *
 * <pre>
 * Layout
 *   buf        capacity * 4 longs; event number s occupies buf[(s &amp; mask) * 4 ..+4]:
 *              a header (TraceEvent.header: type, found, ended, priority) and three
 *              longs whose meaning depends on the type (TraceEvent).
 *   refs       capacity references beside buf: event s may carry one object in
 *              refs[s &amp; mask] (a parked slice's blocker, kept to be rendered at
 *              export, never on the writer). Written only by put(.., ref), read
 *              only for events whose type says they carry one; a slot keeps an
 *              older event's object until overwritten (it only keeps it alive).
 *   aux        capacity longs beside buf: event s may carry one more long in
 *              aux[s &amp; mask] (a slice parked on a mutex: the holder at the park,
 *              TraceEvent). Written only by put(.., ref, aux), with the same
 *              ordering as the four words; read only for events whose type says
 *              they carry one (others may leave an older event's value).
 *   published  number of events completely written. Written by the owner only.
 *   claimed    a bound on the events whose writing may have begun: the writer
 *              claims CLAIM (claimStep) events at a time, before writing the first
 *              of them, so claimed is a multiple of the step and
 *              published &lt;= claimed &lt; published + step.
 *   Invariant: slot (s &amp; mask) holds event s for every s in
 *   [claimed - capacity, published) once that event is published.
 *
 * Writer (the owner only: one OS thread writes a ring, see Worker and Sysmon)
 *   1. s = published (a plain read: the owner reads its own last write);
 *   2. once per claimStep events (s a multiple of it): claimed = s + step (opaque),
 *      then a StoreStore fence: a reader that sees any store of events
 *      [s, s + step) also sees that their slots no longer hold the events a lap
 *      earlier;
 *   3. plain stores of the 4 longs (and of the reference, if any);
 *   4. published = s + 1 (release): a reader that acquires it sees the 4 longs.
 *   Per event: four plain data stores and one release store, no fence, no CAS,
 *   no volatile write, no allocation (on x86 a release store is a plain mov; on
 *   AArch64 an stlr). The claim and its fence are paid once per step (64 events
 *   in the default rings).
 *
 * Reader (any thread; a seqlock read: copy, then check)
 *   1. p = published (acquire); copy events [from, p) out of buf with plain loads;
 *   2. a LoadLoad fence, then c = claimed (opaque);
 *   3. events numbered below c - capacity may have been overwritten while they
 *      were copied (the writer may be writing anywhere up to c): they are
 *      discarded and counted as lost, so a copy never contains a torn event.
 *      Because claims run up to step - 1 events ahead of the writer, a copy of
 *      a ring that has wrapped loses up to step - 1 of its oldest events even
 *      when the writer is not moving (at most 1/8 of the ring, 64 of the
 *      default flight recorder's 131,072). Plain loads of longs never tear on
 *      the 64-bit JVMs Verdant runs on (JDK 25 has no 32-bit port).
 * </pre>
 */
public final class TraceRing {
    /** Longs per event: a header and three payload words (32 bytes, half a cache line). */
    public static final int LONGS = 4;
    /** Bytes per event. */
    public static final int EVENT_BYTES = LONGS * Long.BYTES;

    /** Events claimed at a time (see the class comment): 64 (one claim per
     * 2 KiB of events) for rings of 512 events and more, an eighth of smaller
     * rings, so a copy of a wrapped ring loses at most an eighth of it. Chosen,
     * not measured: the claim's fence is free on x86 either way. */
    private static final int MAX_CLAIM_STEP = 64;

    /** Serial numbers of rings: a carrier remembers which ring its clock stamp belongs to by
     * number, so that it holds no reference to a ring after a trace removed it. */
    private static final java.util.concurrent.atomic.AtomicLong SERIALS = new java.util.concurrent.atomic.AtomicLong();

    /** This ring's serial number: unique in the JVM, never 0. */
    public final long serial = SERIALS.incrementAndGet();
    private final long[] buf;
    private final Object[] refs;
    private final long[] aux;
    private final int mask;
    /** claimStep - 1: a writer claims when (s &amp; claimMask) == 0. */
    private final int claimMask;
    @SuppressWarnings("unused") private volatile long claimed;
    @SuppressWarnings("unused") private volatile long published;

    /**
     * A ring of {@code capacity} events.
     *
     * @param capacity events kept; a power of two, at least 2
     */
    public TraceRing(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1 || capacity > (1 << 26)) {
            throw new IllegalArgumentException("capacity must be a power of two between 2 and 2^26, was " + capacity);
        }
        this.buf = new long[capacity * LONGS];
        this.refs = new Object[capacity];
        this.aux = new long[capacity];
        this.mask = capacity - 1;
        this.claimMask = Math.max(1, Math.min(MAX_CLAIM_STEP, capacity >>> 3)) - 1;
    }

    /**
     * The number of events the ring keeps.
     *
     * @return the capacity
     */
    public int capacity() {
        return mask + 1;
    }

    /**
     * Owner only: appends one event (steps in the class comment). Never blocks.
     *
     * @param header the event's header ({@link TraceEvent#header})
     * @param a      first payload word
     * @param b      second payload word
     * @param c      third payload word
     */
    public void put(long header, long a, long b, long c) {
        long s = (long) PUBLISHED.get(this); // plain: the owner's own last write
        if (((int) s & claimMask) == 0) {
            CLAIMED.setOpaque(this, s + claimMask + 1);
            VarHandle.storeStoreFence();
        }
        int i = (int) (s & mask) * LONGS;
        long[] bf = buf;
        bf[i] = header;
        bf[i + 1] = a;
        bf[i + 2] = b;
        bf[i + 3] = c;
        PUBLISHED.setRelease(this, s + 1);
    }

    /**
     * Owner only: appends one event that carries an object (a parked slice's
     * blocker, {@link TraceEvent}); the object is stored, not formatted. Never blocks.
     *
     * @param header the event's header ({@link TraceEvent#header})
     * @param a      first payload word
     * @param b      second payload word
     * @param c      third payload word
     * @param ref    the object, or null
     */
    public void put(long header, long a, long b, long c, Object ref) {
        long s = (long) PUBLISHED.get(this); // plain: the owner's own last write
        if (((int) s & claimMask) == 0) {
            CLAIMED.setOpaque(this, s + claimMask + 1);
            VarHandle.storeStoreFence();
        }
        int e = (int) (s & mask);
        int i = e * LONGS;
        long[] bf = buf;
        bf[i] = header;
        bf[i + 1] = a;
        bf[i + 2] = b;
        bf[i + 3] = c;
        refs[e] = ref;
        PUBLISHED.setRelease(this, s + 1);
    }

    /**
     * Owner only: appends one event that carries an object and one more long
     * (a slice that parked: its blocker, and the holder of the mutex it parked
     * on, {@link TraceEvent}); nothing is formatted. Never blocks.
     *
     * @param header the event's header ({@link TraceEvent#header})
     * @param a      first payload word
     * @param b      second payload word
     * @param c      third payload word
     * @param ref    the object, or null
     * @param extra  the extra long ({@link WaitReasons#holderId}), 0 if none
     */
    public void put(long header, long a, long b, long c, Object ref, long extra) {
        long s = (long) PUBLISHED.get(this); // plain: the owner's own last write
        if (((int) s & claimMask) == 0) {
            CLAIMED.setOpaque(this, s + claimMask + 1);
            VarHandle.storeStoreFence();
        }
        int e = (int) (s & mask);
        int i = e * LONGS;
        long[] bf = buf;
        bf[i] = header;
        bf[i + 1] = a;
        bf[i + 2] = b;
        bf[i + 3] = c;
        refs[e] = ref;
        aux[e] = extra;
        PUBLISHED.setRelease(this, s + 1);
    }

    /**
     * Any thread: events written so far (acquire).
     *
     * @return the number of published events
     */
    public long published() {
        return (long) PUBLISHED.getAcquire(this);
    }

    /**
     * Any thread: copies the events numbered from {@code from} up to the last
     * published one into {@code sink}. Events overwritten before or during the
     * copy are not copied; their number is returned in {@link Copy#lost}.
     *
     * @param from the first event number wanted (0 for everything still held)
     * @param sink receives the events, in order
     * @return what was copied and what was lost
     */
    public Copy copy(long from, Sink sink) {
        return copy(from, (RefSink) (ev, refs, extras, off, len) -> sink.accept(ev, off, len));
    }

    /**
     * Any thread: as {@link #copy(long, Sink)}, handing over the objects events
     * carry as well.
     *
     * @param from the first event number wanted (0 for everything still held)
     * @param sink receives the events and their objects, in order
     * @return what was copied and what was lost
     */
    public Copy copy(long from, RefSink sink) {
        long p = published();
        int cap = mask + 1;
        long start = Math.max(from, p - cap);
        if (start >= p) {
            return new Copy(p, Math.max(0, start - from), 0);
        }
        int n = (int) (p - start);
        long[] tmp = new long[n * LONGS];
        Object[] tmpRefs = new Object[n];
        long[] tmpAux = new long[n];
        for (long s = start; s < p; s++) {
            int e = (int) (s & mask);
            int i = e * LONGS;
            int j = (int) (s - start) * LONGS;
            tmp[j] = buf[i];
            tmp[j + 1] = buf[i + 1];
            tmp[j + 2] = buf[i + 2];
            tmp[j + 3] = buf[i + 3];
            tmpRefs[(int) (s - start)] = refs[e];
            tmpAux[(int) (s - start)] = aux[e];
        }
        VarHandle.loadLoadFence();
        long c = (long) CLAIMED.getOpaque(this);
        long valid = Math.max(start, c - cap); // events below may be torn: discard
        int skip = (int) Math.min(n, valid - start);
        sink.accept(tmp, tmpRefs, tmpAux, skip * LONGS, (n - skip) * LONGS);
        return new Copy(p, (start - from) + skip, n - skip);
    }

    /**
     * Receives copied events.
     */
    @FunctionalInterface
    public interface Sink {
        /**
         * Takes {@code length} longs (whole events) of {@code events} starting at {@code offset}.
         *
         * @param events the copied events
         * @param offset where the first one starts
         * @param length how many longs
         */
        void accept(long[] events, int offset, int length);
    }

    /**
     * Receives copied events and the objects and extra longs they carry.
     */
    @FunctionalInterface
    public interface RefSink {
        /**
         * Takes {@code length} longs (whole events) of {@code events} starting at {@code offset}.
         *
         * @param events the copied events
         * @param refs   the object each copied event carries, indexed by event
         *               ({@code refs[k]} belongs to the event at {@code events[k * LONGS]});
         *               meaningful only for event types that carry one
         * @param extras the extra long of each copied event, indexed as {@code refs};
         *               meaningful only for event types that carry one
         * @param offset where the first one starts
         * @param length how many longs
         */
        void accept(long[] events, Object[] refs, long[] extras, int offset, int length);
    }

    /**
     * The result of a {@link #copy}.
     *
     * @param next   the event number to pass as {@code from} next time
     * @param lost   events after {@code from} that were overwritten before they could be copied
     * @param copied events handed to the sink
     */
    public record Copy(long next, long lost, long copied) {
    }

    private static final VarHandle CLAIMED;
    private static final VarHandle PUBLISHED;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CLAIMED = l.findVarHandle(TraceRing.class, "claimed", long.class);
            PUBLISHED = l.findVarHandle(TraceRing.class, "published", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
