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
 * list of fixed-size chunks, each event encoded in a few bytes against the
 * events before it: appending encodes a block of events (from the collector's
 * staging block: TraceSession.drain) into a heap staging array and copies the
 * bytes once, in bulk; what is held never moves, and the garbage collector
 * never copies or scans it.
 *
 * <pre>
 * Why off the heap
 *   A trace holds up to TraceSession.MAX_LANE_EVENTS events per carrier, all
 *   alive until the trace is dropped. Held in long[] chunks (as before), every
 *   young collection during a recording copied every chunk filled since the
 *   previous one: GC time on every core, and pauses on the carriers. Direct
 *   buffers are invisible to the collector but for their small owners; their
 *   memory counts against -XX:MaxDirectMemorySize (the heap's maximum by
 *   default) and is freed when the trace becomes unreachable.
 *
 * Why encoded (issue 12, trace-cost)
 *   Held as the ring's five longs (40 bytes an event), a lane wrote 80 MiB of
 *   fresh memory per two million events, one page fault per 4 KiB (0.011 per
 *   event): in a perf profile of a yield loop the collector spent more time in
 *   the kernel (those faults, on a VM) than in Java. Encoded, a slice of a yield
 *   or ping-pong loop takes 2.3-3.0 bytes (measured), and the faults and the bytes written
 *   fall by the same factor.
 *
 * Encoding (event k of the lane; h, a, b, c, d its five words, the header h in the
 * lane's form, with the object index in bits OBJ_SHIFT and up)
 *   one control byte, then, in this order, only the words the byte does not give:
 *     H1   h equals h1, the last header that differed from its predecessor;
 *     H2   h equals h2, the one before (a ping-pong pair alternates two headers);
 *          else h as an unsigned LEB128 varint;
 *     a    always: zigzag(a - a1) as a varint, a1 the previous event's a (times
 *          along a carrier: a few nanoseconds to microseconds apart);
 *     BEST b = a + 1 (an estimated slice end, TraceEvent "Estimated times");
 *          else zigzag(b - a);
 *     C1, C2 c equals c1 or c2 (the last two distinct task ids, kept like h1, h2);
 *          else zigzag(c - c1);
 *     D0   d = 0; D2 d equals c2 (after c's update: the last other task id, the
 *          partner a ping-pong slice wakes); else zigzag(d - c) (a folded
 *          wake-up's woken task).
 *   The state (h1, h2, a1, c1, c2) is reset to 0 before every SYNC_EVERY-th event,
 *   whose byte offset is kept in syncAt: word(k, ..) decodes at most SYNC_EVERY
 *   events from the sync point before k. Lossless for any five longs (the tests
 *   round-trip arbitrary words); at most MAX_EVENT_BYTES an event.
 *
 * Layout
 *   chunks     CHUNK_BYTES each: the encoded bytes as one stream (byte i of the
 *              stream in chunk i / CHUNK_BYTES), an event may straddle two chunks.
 *              A chunk is allocated when the stream reaches it and kept after a
 *              truncate.
 *   bytes      the stream's length; count the events held.
 *   objects    the distinct objects the lane's events carry (a parked slice's
 *              blocker), each once, in the order first seen: an event that carries
 *              one has TraceEvent.REF and, in bits OBJ_SHIFT and up of its header
 *              in the lane, the object's index here (the lane's own copy of the
 *              header: rings never use those bits; events() clears them). intern()
 *              finds an object's index by comparing with two objects it
 *              found before, else in an identity map (a miss replaces one of the
 *              two); a ping-pong pair parks on the same two channels lap after
 *              lap, so most events cost two compares and store nothing.
 *              Why not an array of objects per event (as before): pingpong parks on
 *              every slice, and each such event cost two reference stores into
 *              long-lived heap arrays, each with G1's post-write barrier, and 16
 *              bytes of growing heap arrays (fresh pages, copied as they doubled).
 *   extras     the extra long of the events whose header has TraceEvent.EXTRA, and
 *              only of those: parallel arrays (event index, extra) sorted by event
 *              index (a mutex's holder at a park: mutex parks only).
 *   Invariant: every entry of extras names an event below count (but while
 *   TraceSession.sift hands over a block: it notes the entries, then appends);
 *   every object index in a held header is below the objects' count (truncate
 *   keeps the objects: a torn block may have interned an object that no held
 *   event names, which only keeps it alive as long as the trace); h1 .. c2 are
 *   the encoder's state after event count - 1.
 *   Nothing reads a chunk event by event on the collector's path: word() and the
 *   decoding exports are for the stop, the exporters and tests.
 *
 * Threads: not thread-safe; TraceSession uses it under its monitor only.
 * </pre>
 */
final class TraceLane {
    /** Bytes per chunk: 2^18 (256 KiB of native memory, some 50,000 slices of a switch loop). */
    static final int CHUNK_BYTES = 1 << 18;
    /** Events between two sync points of the encoding (class comment). */
    static final int SYNC_EVERY = 1 << 8;
    /** The most bytes one event takes: the control byte and five varints of at most 10 bytes. */
    static final int MAX_EVENT_BYTES = 1 + 5 * 10;

    /** The first header bit of an event's object index in the lane (class comment). */
    static final int OBJ_SHIFT = 40;
    /** The header bits that hold the object index. */
    static final long OBJ_MASK = -1L << OBJ_SHIFT;
    /** The most distinct objects a lane keeps: 2^24 (the index bits); MAX_LANE_EVENTS is far below. */
    static final int MAX_OBJECTS = 1 << (Long.SIZE - OBJ_SHIFT);

    /** Control-byte flags (class comment, "Encoding"). */
    private static final int H1 = 1;
    private static final int H2 = 2;
    private static final int BEST = 4;
    private static final int C1 = 8;
    private static final int C2 = 16;
    private static final int D0 = 32;
    private static final int D2 = 64;

    private final List<MemorySegment> chunks = new ArrayList<>();
    private long bytes;
    private int count;
    /** Byte offset of event j * SYNC_EVERY, for j up to (count - 1) / SYNC_EVERY. */
    private long[] syncAt = new long[16];
    /** The encoder's state after event count - 1 (class comment). */
    private long h1;
    private long h2;
    private long a1;
    private long c1;
    private long c2;
    /** Where a block is encoded before its bytes are copied to the chunks (grown to the largest block seen). */
    private byte[] stage = new byte[0];
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

    /**
     * Bytes of the encoded events held (for tests and measurements).
     *
     * @return the stream's length
     */
    long bytes() {
        return bytes;
    }

    /**
     * Chunks allocated (for tests).
     *
     * @return the number of chunks
     */
    int chunks() {
        return chunks.size();
    }

    /** Makes sure chunks cover the stream up to {@code end} bytes; false if no memory was left for one. */
    private boolean reserve(long end) {
        while ((long) chunks.size() * CHUNK_BYTES < end) {
            try {
                chunks.add(MemorySegment.ofBuffer(ByteBuffer.allocateDirect(CHUNK_BYTES)));
            } catch (OutOfMemoryError e) {
                return false; // direct memory exhausted: the caller counts the events as dropped
            }
        }
        return true;
    }

    /**
     * Appends {@code n} events (five longs each) from {@code src}: encodes them into
     * the staging array, then copies the bytes to the chunks in bulk.
     *
     * @param src the events
     * @param n   how many
     * @return how many were appended: {@code n}, or 0 if no memory was left for a chunk
     */
    int append(long[] src, int n) {
        if (stage.length < n * MAX_EVENT_BYTES) {
            stage = new byte[n * MAX_EVENT_BYTES];
        }
        byte[] st = stage;
        long sh1 = h1;
        long sh2 = h2;
        long sa1 = a1;
        long sc1 = c1;
        long sc2 = c2;
        int p = 0;
        for (int i = 0, j = 0; i < n; i++, j += TraceRing.LONGS) {
            int k = count + i;
            if ((k & (SYNC_EVERY - 1)) == 0) {
                int s = k / SYNC_EVERY;
                if (s == syncAt.length) {
                    syncAt = Arrays.copyOf(syncAt, s * 2);
                }
                syncAt[s] = bytes + p;
                sh1 = sh2 = sa1 = sc1 = sc2 = 0;
            }
            long h = src[j];
            long a = src[j + 1];
            long b = src[j + 2];
            long c = src[j + 3];
            long d = src[j + 4];
            int at = p++;
            int ctl = 0;
            if (h == sh1) {
                ctl = H1;
            } else {
                if (h == sh2) {
                    ctl = H2;
                } else {
                    p = putVarint(st, p, h);
                }
                sh2 = sh1;
                sh1 = h;
            }
            p = putVarint(st, p, zigzag(a - sa1));
            sa1 = a;
            if (b == a + 1) {
                ctl |= BEST;
            } else {
                p = putVarint(st, p, zigzag(b - a));
            }
            if (c == sc1) {
                ctl |= C1;
            } else {
                if (c == sc2) {
                    ctl |= C2;
                } else {
                    p = putVarint(st, p, zigzag(c - sc1));
                }
                sc2 = sc1;
                sc1 = c;
            }
            if (d == 0) {
                ctl |= D0;
            } else if (d == sc2) {
                ctl |= D2;
            } else {
                p = putVarint(st, p, zigzag(d - c));
            }
            st[at] = (byte) ctl;
        }
        if (!reserve(bytes + p)) {
            return 0; // the state and the stream are as they were; a sync entry past count is rewritten later
        }
        for (int done = 0; done < p; ) {
            long at = bytes + done;
            int off = (int) (at & (CHUNK_BYTES - 1));
            int k = Math.min(p - done, CHUNK_BYTES - off);
            MemorySegment.copy(st, done, chunks.get((int) (at / CHUNK_BYTES)), ValueLayout.JAVA_BYTE, off, k);
            done += k;
        }
        bytes += p;
        count += n;
        h1 = sh1;
        h2 = sh2;
        a1 = sa1;
        c1 = sc1;
        c2 = sc2;
        return n;
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    /** Writes {@code v} as an unsigned LEB128 varint at {@code p}; returns the position after it. */
    private static int putVarint(byte[] st, int p, long v) {
        while ((v & ~0x7FL) != 0) {
            st[p++] = (byte) (v | 0x80);
            v >>>= 7;
        }
        st[p++] = (byte) v;
        return p;
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
        long h = header & ~(TraceEvent.REF | TraceEvent.EXTRA | OBJ_MASK);
        return append(new long[] {h, a, b, c, 0}, 1) == 1;
    }

    /**
     * Forgets the events from {@code n} on (they may be torn, or were filtered out);
     * their chunks are kept for reuse.
     *
     * @param n the count to go back to, at most {@link #count()}
     */
    void truncate(int n) {
        if (n < count) {
            Decoder dec = new Decoder(n);
            bytes = dec.pos;
            count = n;
            h1 = dec.h1;
            h2 = dec.h2;
            a1 = dec.a1;
            c1 = dec.c1;
            c2 = dec.c2;
        }
        while (extras > 0 && extraAt[extras - 1] >= n) {
            extras--;
        }
    }

    /**
     * One long of event {@code k} (decoded from the sync point before it).
     *
     * @param k    an event index below {@link #count()}
     * @param word 0 for the header (with the object index in bits {@link #OBJ_SHIFT} and up), 1 to 4 for the payload
     * @return the long
     */
    long word(int k, int word) {
        Decoder dec = new Decoder(k);
        dec.next();
        return switch (word) {
            case 0 -> dec.h;
            case 1 -> dec.a;
            case 2 -> dec.b;
            case 3 -> dec.c;
            default -> dec.d;
        };
    }

    /**
     * The events held, in one array ({@link TraceRing#LONGS} longs per event): decoded,
     * with the headers' object indices cleared (the ring's encoding, {@link TraceEvent}).
     *
     * @return the copy
     */
    long[] events() {
        long[] out = new long[count * TraceRing.LONGS];
        Decoder dec = new Decoder(0);
        for (int j = 0; j < out.length; j += TraceRing.LONGS) {
            dec.next();
            out[j] = dec.h & ~OBJ_MASK;
            out[j + 1] = dec.a;
            out[j + 2] = dec.b;
            out[j + 3] = dec.c;
            out[j + 4] = dec.d;
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
        Decoder dec = new Decoder(0);
        for (int k = 0; k < count; k++) {
            dec.next();
            out[k] = objectOf(dec.h);
        }
        return out;
    }

    /**
     * Reads the stream from a sync point: after {@code new Decoder(k)}, {@link #next}
     * decodes event k, then k + 1 and so on; the fields hold the last event decoded
     * and the state after it.
     */
    private final class Decoder {
        long pos;
        int k;
        long h1;
        long h2;
        long a1;
        long c1;
        long c2;
        long h;
        long a;
        long b;
        long c;
        long d;

        /** Positioned at event {@code k} (at most count): decodes the events before it from their sync point. */
        Decoder(int k) {
            int s = k / SYNC_EVERY;
            this.k = s * SYNC_EVERY;
            this.pos = this.k < count ? syncAt[s] : bytes;
            if (this.k == count) {
                // k == count at a sync point: no event there yet; the state is what the encoder resets to
                this.k = k;
                return;
            }
            while (this.k < k) {
                next();
            }
        }

        private int readByte() {
            long at = pos++;
            return chunks.get((int) (at / CHUNK_BYTES)).get(ValueLayout.JAVA_BYTE, at & (CHUNK_BYTES - 1));
        }

        private long varint() {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                int x = readByte();
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
        }

        /** Decodes event k. */
        void next() {
            if ((k & (SYNC_EVERY - 1)) == 0) {
                h1 = h2 = a1 = c1 = c2 = 0;
            }
            int ctl = readByte();
            if ((ctl & H1) != 0) {
                h = h1;
            } else {
                h = (ctl & H2) != 0 ? h2 : varint();
                h2 = h1;
                h1 = h;
            }
            a = a1 + unzigzag(varint());
            a1 = a;
            b = (ctl & BEST) != 0 ? a + 1 : a + unzigzag(varint());
            if ((ctl & C1) != 0) {
                c = c1;
            } else {
                c = (ctl & C2) != 0 ? c2 : c1 + unzigzag(varint());
                c2 = c1;
                c1 = c;
            }
            d = (ctl & D0) != 0 ? 0 : (ctl & D2) != 0 ? c2 : c + unzigzag(varint());
            k++;
        }
    }
}
