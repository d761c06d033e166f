package io.verdant.internal.obs;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
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
 *   objects    the distinct objects the lane's events carry (a parked slice's
 *              blocker), each once, in the order first seen: an event that carries
 *              one has TraceEvent.REF and, in bits OBJ_SHIFT and up of its header
 *              in the chunk, the object's index here (the lane's own copy of the
 *              header: rings never use those bits; events() clears them). intern()
 *              finds an object's index by comparing with two objects it
 *              found before, else in an identity map (a miss replaces one of the
 *              two); a ping-pong pair parks on the same two channels lap after
 *              lap, so most events cost two compares and store nothing.
 *              Why not an array of objects per event (as before): pingpong parks on
 *              every slice, and each such event cost two reference stores into
 *              long-lived heap arrays (the collector's staging slots and the lane's
 *              carried entries), each with G1's post-write barrier (a StoreLoad
 *              fence when the array and the object lie in different old regions),
 *              and 16 bytes of growing heap arrays (fresh pages, copied as they
 *              doubled): the collector took 2-4 times as much CPU per event in
 *              pingpong as in a yield loop, whose events carry nothing (loaded
 *              measurement), and twice the page faults.
 *   extras     the extra long of the events whose header has TraceEvent.EXTRA, and
 *              only of those: parallel arrays (event index, extra) sorted by event
 *              index (a mutex's holder at a park: mutex parks only).
 *   count      events held.
 *   Invariant: every entry of extras names an event below count (but while
 *   TraceSession.sift hands over a block: it notes the entries, then appends);
 *   every object index in a held header is below the objects' count (truncate
 *   keeps the objects: a torn block may have interned an object that no held
 *   event names, which only keeps it alive as long as the trace).
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

    /** The first header bit of an event's object index in the lane (class comment). */
    static final int OBJ_SHIFT = 40;
    /** The header bits that hold the object index. */
    static final long OBJ_MASK = -1L << OBJ_SHIFT;
    /** The most distinct objects a lane keeps: 2^24 (the index bits); MAX_LANE_EVENTS is far below. */
    static final int MAX_OBJECTS = 1 << (Long.SIZE - OBJ_SHIFT);

    private final List<MemorySegment> chunks = new ArrayList<>();
    private int count;
    private Object[] objects = new Object[16];
    private int objectCount;
    private final IdentityHashMap<Object, Integer> objectIndex = new IdentityHashMap<>();
    /** Two objects interned before and their indices: intern() compares with them first; replace1 says which
     * entry a miss replaces next. */
    private boolean replace1;
    private Object last0;
    private Object last1;
    private int lastIndex0;
    private int lastIndex1;
    private int[] extraAt = new int[16];
    private long[] extraValue = new long[16];
    private int extras;

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
     * The index of {@code o} among the lane's objects, added if new: the caller puts
     * it in bits {@link #OBJ_SHIFT} and up of the header of an event that carries
     * {@code o} (with {@link TraceEvent#REF}). No reference is stored unless the
     * object is new to the lane.
     *
     * @param o an object, not null
     * @return its index, or -1 if the lane holds {@link #MAX_OBJECTS} already (the event then carries none)
     */
    int intern(Object o) {
        if (o == last0) {
            return lastIndex0;
        }
        if (o == last1) {
            return lastIndex1;
        }
        int k;
        Integer at = objectIndex.get(o);
        if (at != null) {
            k = at;
        } else {
            if (objectCount == MAX_OBJECTS) {
                return -1;
            }
            if (objectCount == objects.length) {
                objects = Arrays.copyOf(objects, objectCount * 2);
            }
            k = objectCount++;
            objects[k] = o;
            objectIndex.put(o, k);
        }
        // Only a miss writes the cache (a reference store, with its GC barrier): a hit
        // stores nothing. The entry replaced is the one written less recently.
        if (replace1) {
            last1 = o;
            lastIndex1 = k;
        } else {
            last0 = o;
            lastIndex0 = k;
        }
        replace1 = !replace1;
        return k;
    }

    /**
     * Notes the extra long of event {@code k} (whose header has {@link TraceEvent#EXTRA});
     * {@code k} above every index noted so far.
     *
     * @param k     the event's index, appended already or next
     * @param extra its extra long
     */
    void addExtra(int k, long extra) {
        if (extras == extraAt.length) {
            int size = extras * 2;
            extraAt = Arrays.copyOf(extraAt, size);
            extraValue = Arrays.copyOf(extraValue, size);
        }
        extraAt[extras] = k;
        extraValue[extras] = extra;
        extras++;
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
        ch.set(LONG, off, header & ~(TraceEvent.REF | TraceEvent.EXTRA | OBJ_MASK));
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
        while (extras > 0 && extraAt[extras - 1] >= n) {
            extras--;
        }
    }

    /**
     * One long of event {@code k}.
     *
     * @param k    an event index below {@link #count()}
     * @param word 0 for the header (with the object index in bits {@link #OBJ_SHIFT} and up), 1 to 4 for the payload
     * @return the long
     */
    long word(int k, int word) {
        return chunks.get(k / CHUNK_EVENTS).get(LONG, (long) (k % CHUNK_EVENTS) * EVENT_BYTES + word * Long.BYTES);
    }

    /**
     * The events held, in one array ({@link TraceRing#LONGS} longs per event): a copy,
     * with the headers' object indices cleared (the ring's encoding, {@link TraceEvent}).
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
        for (int j = 0; j < out.length; j += TraceRing.LONGS) {
            out[j] &= ~OBJ_MASK;
        }
        return out;
    }

    /** The object a header names, or null. */
    private Object objectOf(long h) {
        return (h & TraceEvent.REF) != 0 ? objects[(int) (h >>> OBJ_SHIFT)] : null;
    }

    /**
     * Event {@code k}'s object (meaningful only if its header has {@link TraceEvent#REF}).
     *
     * @param k an event index below {@link #count()}
     * @return the object, or null
     */
    Object ref(int k) {
        return objectOf(word(k, 0));
    }

    /**
     * The extra long of every event, in order (0 where the header has no {@link TraceEvent#EXTRA}).
     *
     * @return a new array of {@link #count()} longs
     */
    long[] extras() {
        long[] out = new long[count];
        for (int i = 0; i < extras; i++) {
            out[extraAt[i]] = extraValue[i];
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
        for (int c = 0, k = 0; k < count; c++) {
            MemorySegment ch = chunks.get(c);
            for (int e = 0; e < CHUNK_EVENTS && k < count; e++, k++) {
                out[k] = objectOf(ch.get(LONG, (long) e * EVENT_BYTES));
            }
        }
        return out;
    }
}
