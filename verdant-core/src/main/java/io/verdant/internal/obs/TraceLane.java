package io.verdant.internal.obs;

import java.util.ArrayList;
import java.util.List;

/**
 * The events a trace collected from one ring, kept in a list of fixed-size
 * chunks: appending copies each event once (in bulk, straight from the ring:
 * {@link TraceRing#copyOut}) and never moves what is already held, unlike an
 * array grown by doubling, which copies every event again at each growth.
 *
 * <pre>
 * Layout
 *   chunks     CHUNK_EVENTS events each: a long[] of CHUNK_EVENTS * LONGS, an
 *              Object[] of CHUNK_EVENTS object slots and a long[] of CHUNK_EVENTS
 *              extra slots (TraceRing's layout, so a chunk takes a ring's range
 *              with System.arraycopy). Event k of the
 *              lane is in chunk k / CHUNK_EVENTS at k % CHUNK_EVENTS. A chunk is
 *              allocated when the lane reaches it and kept after a truncate.
 *   count      events held.
 *   Object and extra slots are copied as the ring holds them: a slot is
 *   meaningful only if its event's header has TraceEvent.REF / TraceEvent.EXTRA
 *   (TraceData.blocker and TraceData.holder look).
 *
 * Threads: not thread-safe; TraceSession uses it under its monitor only.
 * </pre>
 */
final class TraceLane {
    /** Events per chunk: 2^13, so a chunk's long[] is 320 KiB, its Object[] 32 KiB and its extra long[] 64 KiB: large
     * enough that a busy lane allocates a chunk only every few collections, small enough to
     * stay below G1's humongous-object size (half a region; regions are at least 1 MiB). */
    static final int CHUNK_EVENTS = 1 << 13;

    private final List<long[]> chunks = new ArrayList<>();
    private final List<Object[]> refChunks = new ArrayList<>();
    private final List<long[]> extraChunks = new ArrayList<>();
    private int count;

    /**
     * Events held.
     *
     * @return the count
     */
    int count() {
        return count;
    }

    /**
     * Appends the ring's events {@code [from, from + n)} ({@link TraceRing#copyOut}:
     * the caller then checks {@link TraceRing#validFrom} and {@link #truncate}s what may be torn).
     *
     * @param ring the ring
     * @param from the first event number
     * @param n    how many events
     */
    void append(TraceRing ring, long from, int n) {
        int done = 0;
        while (done < n) {
            int c = count / CHUNK_EVENTS;
            int at = count % CHUNK_EVENTS;
            if (c == chunks.size()) {
                chunks.add(new long[CHUNK_EVENTS * TraceRing.LONGS]);
                refChunks.add(new Object[CHUNK_EVENTS]);
                extraChunks.add(new long[CHUNK_EVENTS]);
            }
            int k = Math.min(n - done, CHUNK_EVENTS - at);
            ring.copyOut(from + done, k, chunks.get(c), at * TraceRing.LONGS, refChunks.get(c), extraChunks.get(c), at);
            done += k;
            count += k;
        }
    }

    /**
     * Appends one event made by the trace itself (a slice cut at the stop).
     *
     * @param header the header
     * @param a      first payload word
     * @param b      second payload word
     * @param c      third payload word
     */
    void add(long header, long a, long b, long c) {
        int ci = count / CHUNK_EVENTS;
        int at = count % CHUNK_EVENTS;
        if (ci == chunks.size()) {
            chunks.add(new long[CHUNK_EVENTS * TraceRing.LONGS]);
            refChunks.add(new Object[CHUNK_EVENTS]);
            extraChunks.add(new long[CHUNK_EVENTS]);
        }
        long[] ch = chunks.get(ci);
        int j = at * TraceRing.LONGS;
        ch[j] = header & ~(TraceEvent.REF | TraceEvent.EXTRA);
        ch[j + 1] = a;
        ch[j + 2] = b;
        ch[j + 3] = c;
        ch[j + 4] = 0;
        count++;
    }

    /**
     * Forgets the events from {@code n} on (they may be torn); their chunks are kept for reuse.
     *
     * @param n the count to go back to, at most {@link #count()}
     */
    void truncate(int n) {
        count = n;
    }

    /**
     * One long of event {@code k}.
     *
     * @param k    an event index below {@link #count()}
     * @param word 0 for the header, 1 to 3 for the payload
     * @return the long
     */
    long word(int k, int word) {
        return chunks.get(k / CHUNK_EVENTS)[(k % CHUNK_EVENTS) * TraceRing.LONGS + word];
    }

    /**
     * Chunk {@code c}'s longs (event {@code c * CHUNK_EVENTS + i} at {@code i * LONGS}); for a
     * reader that walks the events in place.
     *
     * @param c a chunk index, below {@code (count() + CHUNK_EVENTS - 1) / CHUNK_EVENTS}
     * @return the chunk's array, not a copy
     */
    long[] chunk(int c) {
        return chunks.get(c);
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
            System.arraycopy(chunks.get(c), 0, out, done * TraceRing.LONGS, k * TraceRing.LONGS);
            done += k;
        }
        return out;
    }

    /**
     * Event {@code k}'s object slot (meaningful only if its header has {@link TraceEvent#REF}).
     *
     * @param k an event number below {@link #count()}
     * @return the slot's object
     */
    Object ref(int k) {
        return refChunks.get(k / CHUNK_EVENTS)[k % CHUNK_EVENTS];
    }

    /**
     * Overwrites event {@code k} with event {@code src} (header, words, object, extra): compaction.
     *
     * @param k   the destination, at most {@code src}
     * @param src the source
     */
    void move(int k, int src) {
        if (k == src) {
            return;
        }
        long[] d = chunks.get(k / CHUNK_EVENTS);
        long[] f = chunks.get(src / CHUNK_EVENTS);
        System.arraycopy(f, (src % CHUNK_EVENTS) * TraceRing.LONGS, d, (k % CHUNK_EVENTS) * TraceRing.LONGS, TraceRing.LONGS);
        refChunks.get(k / CHUNK_EVENTS)[k % CHUNK_EVENTS] = refChunks.get(src / CHUNK_EVENTS)[src % CHUNK_EVENTS];
        extraChunks.get(k / CHUNK_EVENTS)[k % CHUNK_EVENTS] = extraChunks.get(src / CHUNK_EVENTS)[src % CHUNK_EVENTS];
    }

    /**
     * Clears the header bits of event {@code k} that say it carries an object and an extra long.
     *
     * @param k an event number below {@link #count()}
     */
    void dropCarried(int k) {
        long[] ch = chunks.get(k / CHUNK_EVENTS);
        ch[(k % CHUNK_EVENTS) * TraceRing.LONGS] &= ~(TraceEvent.REF | TraceEvent.EXTRA);
    }

    /**
     * The extra slot of every event, in order (meaningful only where the header has {@link TraceEvent#EXTRA}).
     *
     * @return a copy
     */
    long[] extras() {
        long[] out = new long[count];
        for (int c = 0, done = 0; done < count; c++) {
            int k = Math.min(CHUNK_EVENTS, count - done);
            System.arraycopy(extraChunks.get(c), 0, out, done, k);
            done += k;
        }
        return out;
    }

    /**
     * The object slots of the events held, in one array: a copy.
     *
     * @return the copy (a slot is meaningful only for an event with {@link TraceEvent#REF})
     */
    Object[] refs() {
        Object[] out = new Object[count];
        for (int c = 0, done = 0; done < count; c++) {
            int k = Math.min(CHUNK_EVENTS, count - done);
            System.arraycopy(refChunks.get(c), 0, out, done, k);
            done += k;
        }
        return out;
    }
}
