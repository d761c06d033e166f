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
 *   buf        capacity * 4 longs (WORDS); event number s occupies buf[(s &amp; mask) * 4 ..+4]
 *              in the ring format below; readers get copies in the 5-long form
 *              (LONGS) that TraceEvent describes, decoded by the copy methods.
 *   refs       capacity references beside buf: event s may carry one object in
 *              refs[s &amp; mask] (a parked slice's blocker, kept to be rendered at
 *              export, never on the writer). Written only by put(.., ref) and only
 *              when the object is not null; the header then has TraceEvent.REF set,
 *              and readers look at the slot only for such events. A slot keeps an
 *              older event's object until a later event with an object overwrites
 *              it (that only keeps the object alive): storing null for the many
 *              events without one would be a reference store, with its GC barrier,
 *              per event for nothing. Nor is an object stored in a slot that holds
 *              it already (a ping-pong pair parks on the same two objects a lap
 *              after lap): a load and a compare instead of the store and its
 *              barrier (with G1, a StoreLoad fence when the ring's array and the
 *              object are in different old regions).
 *   aux        capacity longs: event s's extra long (TraceEvent.EXTRA), written only
 *              for the events that carry one.
 *
 * Format (ring words w0..w3 of an event; the copy is h, a, b, c, d as in TraceEvent)
 *   SLICE      w0 = h | length &lt;&lt; 35, w1 = begin, w2 = task id, w3 = d (the
 *              folded wake-up): the end is begin + length, so a slice is four
 *              stores, not five. length = end - begin fits 29 bits below WIDE (up
 *              to about 537 ms); a longer slice (or one whose words are not a
 *              begin and a later end) is wide: length field WIDE, w3 = the end, and
 *              its folded wake-up, if any, is written just before it as a WAKE event
 *              of its own (begin, task id, woken), which is what TraceSession unfolds
 *              a folded wake-up to (FoldedWakes): readers see the same events.
 *   others     w0 = h, w1 = a, w2 = b, w3 = c (their d is 0; put ignores it).
 *   The header's own bits end at bit 34 (TraceEvent), so the length never meets
 *   them; a copy clears bits 35-63. Two readers decode this format: decode()
 *   here and the collector's TraceLane.stage; they change together
 *   (TraceLaneTest compares the two).
 *
 * Memory: WORDS * 8 = 32 bytes of buf per event plus one reference slot in refs
 *   (4 bytes with compressed oops, the JVM's default for heaps below 32 GiB; 8
 *   without) and one long in aux. EVENT_BYTES counts 44: a ring of 2^17 events
 *   holds 4 MiB of buf, 512 KiB of refs and 1 MiB of aux (5.5 MiB), plus a few
 *   dozen bytes of headers. (Until 2026-12-03 an event took five longs, 52 bytes
 *   in all: the same ring was 6.5 MiB.)
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
 *   3. plain stores of the 4 words (and of the reference, if one is given);
 *   4. published = s + 1 (release): a reader that acquires it sees the 4 words.
 *   Per event: four plain data stores and one release store, no fence, no CAS,
 *   no volatile write, no allocation, no reference store unless the event
 *   carries an object (on x86 a release store is a plain mov; on AArch64 an
 *   stlr). The claim and its fence are paid once per step (64 events in the
 *   default rings). Nothing shared with other writers is written: the ring's
 *   fields are its owner's.
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
 *   copy() copies into a new array (tests, small reads), with ref()/extra()
 *   for the slots of the events whose header says they carry one. The trace
 *   collector copies nothing: it reads
 *   the words and slots in place (words(), objectSlots(), extraSlots();
 *   TraceLane.stage decodes as decode() does) between published() and
 *   validFrom() (the fence and the claim read of step 2-3), which says which of
 *   the events read may be torn (TraceSession drops the block and reads again).
 * </pre>
 */
public final class TraceRing {
    /** Longs per event in a copy, the form every reader sees: a header and four payload
     * words (TraceEvent; the fourth holds a SLICE's folded wake-up, 0 in every other
     * event). The ring itself holds {@link #WORDS} a event ("Format"). */
    public static final int LONGS = 5;
    /** Longs per event in the ring: 4 (32 bytes, so an event never straddles a cache line and
     * the carrier writes half a line an event; "Format"). */
    public static final int WORDS = 4;
    /** Bytes of a reference slot with compressed oops (the JVM's default below 32 GiB of heap;
     * 8 without them, which {@link #EVENT_BYTES} does not assume). */
    public static final int REF_BYTES = 4;
    /** Bytes per event held: the four words, the object slot and the extra long beside them
     * (44; see "Memory"). */
    public static final int EVENT_BYTES = WORDS * Long.BYTES + REF_BYTES + Long.BYTES;

    /** Where a SLICE's length (end - begin, nanoseconds) sits in its ring header: bits 35-63,
     * above the header's flags (TraceEvent: bits 0-34). */
    static final int LENGTH_SHIFT = 35;
    /** The length field's all-ones value: the SLICE is wide (its end is in the fourth word). */
    static final long WIDE = (1L << (64 - LENGTH_SHIFT)) - 1;
    /** The longest length a SLICE's header holds: 2^29 - 2 ns, about 537 ms. */
    static final long MAX_LENGTH = WIDE - 1;
    /** The header bits a reader sees (the ring's length field cleared). */
    static final long HEADER_MASK = (1L << LENGTH_SHIFT) - 1;

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
    /** Beside buf: event s may carry one more long in aux[s &amp; mask], only when its header has
     * TraceEvent.EXTRA (a slice parked on a mutex: the holder at the park). */
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
        this.buf = new long[capacity * WORDS];
        this.aux = new long[capacity];
        this.refs = new Object[capacity];
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
        put(header, a, b, c, null, 0, 0); // inlined: the null and 0 tests fold away
    }

    /**
     * Owner only: appends one event that carries an object (a parked slice's
     * blocker, {@link TraceEvent}); the object is stored, not formatted, and the
     * header gets {@link TraceEvent#REF}; a null object stores nothing (the event
     * is then as {@link #put(long, long, long, long)} writes it). Never blocks.
     *
     * @param header the event's header ({@link TraceEvent#header})
     * @param a      first payload word
     * @param b      second payload word
     * @param c      third payload word
     * @param ref    the object, or null
     */
    public void put(long header, long a, long b, long c, Object ref) {
        put(header, a, b, c, ref, 0, 0);
    }

    /**
     * Owner only: as {@link #put(long, long, long, long, Object)}, and a long beside
     * the event when it is not 0 (then the header gets {@link TraceEvent#EXTRA}): a
     * slice that parked on a mutex, with the holder at the park
     * ({@link WaitReasons#holderId}). Never blocks.
     *
     * @param header the event's header ({@link TraceEvent#header})
     * @param a      first payload word
     * @param b      second payload word
     * @param c      third payload word
     * @param ref    the object, or null
     * @param extra  the extra long, or 0 for none
     */
    public void put(long header, long a, long b, long c, Object ref, long extra) {
        put(header, a, b, c, ref, extra, 0);
    }

    /**
     * Owner only: as {@link #put(long, long, long, long, Object, long)}, with the
     * fourth payload word {@code d} (a SLICE's folded wake-up, {@link TraceEvent};
     * ignored for other types, whose d is 0). A SLICE is encoded in four words
     * ("Format"); one whose length does not fit is written wide, after a WAKE event
     * for its folded wake-up. Never blocks.
     *
     * @param header the event's header ({@link TraceEvent#header})
     * @param a      first payload word
     * @param b      second payload word
     * @param c      third payload word
     * @param ref    the object, or null
     * @param extra  the extra long, or 0 for none
     * @param d      fourth payload word
     */
    public void put(long header, long a, long b, long c, Object ref, long extra, long d) {
        if (TraceEvent.type(header) == TraceEvent.SLICE) { // folds away where the header is a constant
            long length = b - a;
            if (Long.compareUnsigned(length, MAX_LENGTH) > 0) {
                putWide(header, a, b, c, ref, extra, d);
                return;
            }
            write(header | length << LENGTH_SHIFT, a, c, d, ref, extra);
        } else {
            write(header, a, b, c, ref, extra);
        }
    }

    /**
     * Owner only: a SLICE whose length does not fit its header ("Format"): its folded
     * wake-up, if any, as a WAKE event of its own first (what TraceSession would
     * unfold it to), then the SLICE with its end in the fourth word. Out of line: a
     * slice of half a second or more, or a caller's arbitrary words.
     */
    private void putWide(long header, long t0, long t1, long task, Object ref, long extra, long woken) {
        if (woken != 0) {
            write(TraceEvent.header(TraceEvent.WAKE, 0, 0, 0), t0, task, woken, null, 0);
        }
        write(header | WIDE << LENGTH_SHIFT, t0, task, t1, ref, extra);
    }

    /** Owner only: appends one event of ring words w0..w3 (steps in the class comment). */
    private void write(long w0, long w1, long w2, long w3, Object ref, long extra) {
        long s = (long) PUBLISHED.get(this); // plain: the owner's own last write
        if (((int) s & claimMask) == 0) {
            CLAIMED.setOpaque(this, s + claimMask + 1);
            VarHandle.storeStoreFence();
        }
        int e = (int) (s & mask);
        int i = e * WORDS;
        long[] bf = buf;
        if (ref != null) {
            Object[] rf = refs;
            if (rf[e] != ref) { // the slot often holds it already: a loop that parks on the same object a lap ago
                rf[e] = ref;    // a reference store: G1's post-write barrier (a StoreLoad fence across regions)
            }
            w0 |= TraceEvent.REF;
        }
        if (extra != 0) {
            aux[e] = extra;
            w0 |= TraceEvent.EXTRA;
        }
        bf[i] = w0;
        bf[i + 1] = w1;
        bf[i + 2] = w2;
        bf[i + 3] = w3;
        PUBLISHED.setRelease(this, s + 1);
    }

    /**
     * Decodes the ring words of {@code n} events from {@code src} at word {@code i}
     * into {@code n} copies of {@link #LONGS} longs in {@code dst} at {@code j}
     * ("Format"). A torn event decodes to garbage, which the caller discards.
     */
    private static void decode(long[] src, int i, long[] dst, int j, int n) {
        for (int end = i + n * WORDS; i < end; i += WORDS, j += LONGS) {
            long w0 = src[i];
            long w1 = src[i + 1];
            long w2 = src[i + 2];
            long w3 = src[i + 3];
            if (TraceEvent.type(w0) == TraceEvent.SLICE) {
                long length = w0 >>> LENGTH_SHIFT;
                boolean wide = length == WIDE;
                dst[j] = w0 & HEADER_MASK;
                dst[j + 1] = w1;
                dst[j + 2] = wide ? w3 : w1 + length;
                dst[j + 3] = w2;
                dst[j + 4] = wide ? 0 : w3;
            } else {
                dst[j] = w0;
                dst[j + 1] = w1;
                dst[j + 2] = w2;
                dst[j + 3] = w3;
                dst[j + 4] = 0;
            }
        }
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
        return copy(from, (RefSink) (ev, refs, off, len) -> sink.accept(ev, off, len));
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
        for (long s = start; s < p; s++) {
            int e = (int) (s & mask);
            decode(buf, e * WORDS, tmp, (int) (s - start) * LONGS, 1);
            tmpRefs[(int) (s - start)] = refs[e];
        }
        VarHandle.loadLoadFence();
        long c = (long) CLAIMED.getOpaque(this);
        long valid = Math.max(start, c - cap); // events below may be torn: discard
        int skip = (int) Math.min(n, valid - start);
        sink.accept(tmp, tmpRefs, skip * LONGS, (n - skip) * LONGS);
        return new Copy(p, (start - from) + skip, n - skip);
    }

    /** The ring's words, for the collector's pass that reads them in place (TraceLane.stage; "Reader"). */
    long[] words() {
        return buf;
    }

    /** The object slots beside the words (for TraceLane.stage). */
    Object[] objectSlots() {
        return refs;
    }

    /** The extra slots beside the words (for TraceLane.stage). */
    long[] extraSlots() {
        return aux;
    }

    /**
     * Any thread: event {@code s}'s object slot, meaningful only if its header has
     * {@link TraceEvent#REF} (read it before {@link #validFrom()}).
     *
     * @param s an event number
     * @return the slot's object
     */
    public Object ref(long s) {
        return refs[(int) (s & mask)];
    }

    /**
     * Any thread: event {@code s}'s extra slot, meaningful only if its header has
     * {@link TraceEvent#EXTRA} (read it before {@link #validFrom()}).
     *
     * @param s an event number
     * @return the slot's long
     */
    public long extra(long s) {
        return aux[(int) (s & mask)];
    }

    /**
     * Any thread, after reading events in place ("Reader"): the lowest event
     * number that cannot have been overwritten while it was read; events read
     * numbered below it may be torn and must be discarded.
     *
     * @return {@code claimed - capacity} read after a load-load fence
     */
    public long validFrom() {
        VarHandle.loadLoadFence();
        return (long) CLAIMED.getOpaque(this) - (mask + 1);
    }

    /**
     * Any thread: whether an event of {@code type} was published with a number in
     * {@code [from, to)}: the stop of a trace asks whether a carrier ended the
     * slice it was running (TraceSession, "Stopping"). Events already overwritten
     * count as found (they were written, and are lost to every reader anyway).
     *
     * @param type a {@link TraceEvent} type
     * @param from the first event number to look at
     * @param to   one past the last, at most {@link #published()}
     * @return true if one was written there, or may have been and was overwritten
     */
    public boolean wrote(int type, long from, long to) {
        long start = Math.max(from, to - (mask + 1));
        if (start > from) {
            return true;
        }
        boolean found = false;
        for (long s = start; s < to && !found; s++) {
            found = TraceEvent.type(buf[(int) (s & mask) * WORDS]) == type;
        }
        return found || validFrom() > start;
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
     * Receives copied events and the objects they carry.
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
         * @param offset where the first one starts
         * @param length how many longs
         */
        void accept(long[] events, Object[] refs, int offset, int length);
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
