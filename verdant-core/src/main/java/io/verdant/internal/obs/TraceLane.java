package io.verdant.internal.obs;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The events a trace collected from one ring, kept outside the Java heap in a
 * list of fixed-size chunks: appending copies each event's five longs once (in
 * bulk, from the collector's staging block: TraceSession.drain) and never moves
 * what is already held, and the garbage collector never copies or scans them.
 *
 * <pre>
 * Why off the heap
 *   A trace holds up to MAX_LANE_EVENTS events per carrier, all alive until the
 *   trace is dropped. Held in long[] chunks (as before), every young collection
 *   during a recording copied every chunk filled since the previous one (a
 *   recording of a yield loop allocated 52 bytes per event and triggered a
 *   young pause that copied ~90 MB every ~2 million events): GC time on every
 *   core, and pauses on the carriers. Direct buffers are invisible to the
 *   collector but for their small owners; their memory counts against
 *   -XX:MaxDirectMemorySize (the heap's maximum by default) and is freed when
 *   the trace becomes unreachable.
 *
 * Layout
 *   chunks     CHUNK_EVENTS events each: a direct buffer of CHUNK_EVENTS * LONGS
 *              longs in native byte order (TraceRing's layout of the five longs:
 *              event k of the lane is in chunk k / CHUNK_EVENTS at byte
 *              (k % CHUNK_EVENTS) * EVENT_BYTES). A chunk is allocated when the
 *              lane reaches it and kept after a truncate.
 *   carried    the object and extra long of the events whose header has
 *              TraceEvent.REF or TraceEvent.EXTRA, and only of those: parallel
 *              arrays (event index, object, extra) sorted by event index. Most
 *              events carry nothing (a ring's object and extra slots are copied
 *              only for the few that do, instead of 12 bytes per event), and the
 *              trace keeps them only on parked slices (TraceSession.sift).
 *   count      events held.
 *   Invariant: every entry of carried names an event below count (but while
 *   TraceSession.sift hands over a block: it notes the entries, then appends).
 *   Nothing reads a chunk event by event on the collector's path: a first
 *   version that named and filtered the events in place, through a native
 *   segment's accessors, took several times as much collector CPU per event
 *   (loaded measurement) as the heap arrays did; the collector now works on a
 *   heap block and hands over what it keeps in bulk. word() is for the stop
 *   and for tests.
 *
 * Threads: not thread-safe; TraceSession uses it under its monitor only.
 * </pre>
 */
final class TraceLane {
    /** Events per chunk: 2^13, so a chunk is 320 KiB of native memory: a busy lane allocates a chunk only
     * every few collections. */
    static final int CHUNK_EVENTS = 1 << 13;
    /** Bytes of one event's longs in a chunk. */
    static final int EVENT_BYTES = TraceRing.LONGS * Long.BYTES;
    /** How a chunk's longs are read and written: native order, no alignment assumed (a direct buffer's
     * address is 8-byte aligned in practice; x86 and AArch64 load unaligned longs at the same speed). */
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private final List<MemorySegment> chunks = new ArrayList<>();
    private int count;
    private int[] carriedAt = new int[16];
    private Object[] carriedRef = new Object[16];
    private long[] carriedExtra = new long[16];
    private int carried;

    /**
     * Events held.
     *
     * @return the count
     */
    int count() {
        return count;
    }

    /** The chunk that holds event index {@code k}, allocated if the lane just reached it; null if no memory. */
    private MemorySegment chunkFor(int k) {
        int c = k / CHUNK_EVENTS;
        if (c == chunks.size()) {
            try {
                chunks.add(MemorySegment.ofBuffer(ByteBuffer.allocateDirect(CHUNK_EVENTS * EVENT_BYTES)));
            } catch (OutOfMemoryError e) {
                return null; // direct memory exhausted: the caller counts the events as dropped
            }
        }
        return chunks.get(c);
    }

    /**
     * Appends {@code n} events (five longs each) from {@code src}, in bulk.
     *
     * @param src the events
     * @param n   how many
     * @return how many were appended: {@code n}, fewer only if no memory was left for a chunk
     */
    int append(long[] src, int n) {
        int done = 0;
        while (done < n) {
            MemorySegment ch = chunkFor(count);
            if (ch == null) {
                break;
            }
            int at = count % CHUNK_EVENTS;
            int k = Math.min(n - done, CHUNK_EVENTS - at);
            MemorySegment.copy(src, done * TraceRing.LONGS, ch, LONG, (long) at * EVENT_BYTES, k * TraceRing.LONGS);
            done += k;
            count += k;
        }
        return done;
    }

    /**
     * Notes the object and extra long of event {@code k} (whose header has
     * {@link TraceEvent#REF} or {@link TraceEvent#EXTRA}); {@code k} above every index noted so far.
     *
     * @param k     the event's index, appended already or next
     * @param ref   its object, or null
     * @param extra its extra long, or 0
     */
    void addCarried(int k, Object ref, long extra) {
        if (carried == carriedAt.length) {
            int size = carried * 2;
            carriedAt = Arrays.copyOf(carriedAt, size);
            carriedRef = Arrays.copyOf(carriedRef, size);
            carriedExtra = Arrays.copyOf(carriedExtra, size);
        }
        carriedAt[carried] = k;
        carriedRef[carried] = ref;
        carriedExtra[carried] = extra;
        carried++;
    }

    /**
     * Appends one event made by the trace itself (a slice cut at the stop).
     *
     * @param header the header
     * @param a      first payload word
     * @param b      second payload word
     * @param c      third payload word
     * @return false if no memory was left for it
     */
    boolean add(long header, long a, long b, long c) {
        MemorySegment ch = chunkFor(count);
        if (ch == null) {
            return false;
        }
        long off = (long) (count % CHUNK_EVENTS) * EVENT_BYTES;
        ch.set(LONG, off, header & ~(TraceEvent.REF | TraceEvent.EXTRA));
        ch.set(LONG, off + 8, a);
        ch.set(LONG, off + 16, b);
        ch.set(LONG, off + 24, c);
        ch.set(LONG, off + 32, 0);
        count++;
        return true;
    }

    /**
     * Forgets the events from {@code n} on (they may be torn, or were filtered out);
     * their chunks are kept for reuse.
     *
     * @param n the count to go back to, at most {@link #count()}
     */
    void truncate(int n) {
        count = n;
        while (carried > 0 && carriedAt[carried - 1] >= n) {
            carried--;
            carriedRef[carried] = null;
        }
    }

    /**
     * One long of event {@code k}.
     *
     * @param k    an event index below {@link #count()}
     * @param word 0 for the header, 1 to 4 for the payload
     * @return the long
     */
    long word(int k, int word) {
        return chunks.get(k / CHUNK_EVENTS).get(LONG, (long) (k % CHUNK_EVENTS) * EVENT_BYTES + word * Long.BYTES);
    }

    /** The position in the carried entries of the first entry for an event at or after {@code k}. */
    private int firstCarried(int k) {
        int lo = 0;
        int hi = carried;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (carriedAt[mid] < k) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * The events held, in one array ({@link TraceRing#LONGS} longs per event): a copy.
     *
     * @return the copy
     */
    long[] events() {
        long[] out = new long[count * TraceRing.LONGS];
        for (int c = 0, done = 0; done < count; c++) {
            int k = Math.min(CHUNK_EVENTS, count - done);
            MemorySegment.copy(chunks.get(c), LONG, 0, out, done * TraceRing.LONGS, k * TraceRing.LONGS);
            done += k;
        }
        return out;
    }

    /**
     * Event {@code k}'s object (meaningful only if its header has {@link TraceEvent#REF}).
     *
     * @param k an event index below {@link #count()}
     * @return the object, or null
     */
    Object ref(int k) {
        int pos = firstCarried(k);
        return pos < carried && carriedAt[pos] == k ? carriedRef[pos] : null;
    }

    /**
     * The extra long of every event, in order (0 where the header has no {@link TraceEvent#EXTRA}).
     *
     * @return a new array of {@link #count()} longs
     */
    long[] extras() {
        long[] out = new long[count];
        for (int i = 0; i < carried; i++) {
            out[carriedAt[i]] = carriedExtra[i];
        }
        return out;
    }

    /**
     * The object of every event, in order (null where the header has no {@link TraceEvent#REF}).
     *
     * @return a new array of {@link #count()} objects
     */
    Object[] refs() {
        Object[] out = new Object[count];
        for (int i = 0; i < carried; i++) {
            out[carriedAt[i]] = carriedRef[i];
        }
        return out;
    }
}
