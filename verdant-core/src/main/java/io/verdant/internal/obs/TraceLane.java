package io.verdant.internal.obs;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * The events a trace collected from one ring, kept outside the Java heap in a
 * list of fixed-size chunks, each event encoded in a few bytes against the
 * events before it: the collector encodes a block of events straight from the
 * ring's words into a heap staging array (stage), and once the block is found
 * whole copies the bytes once, in bulk (commit); what is held never moves, and
 * the garbage collector never copies or scans it.
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
 * The collector's pass (stage, then commit; TraceSession.drain)
 *   One loop over the block's ring slots, in at most two runs (the block may
 *   wrap), each a counted loop over the ring's long[] so the JIT drops its
 *   bounds checks. Per event: the four words unpacked as TraceRing's copy would
 *   decode them (no five-long staging block: it cost a write and two reads of
 *   40 bytes an event, and the passes over it); the task id, and a slice's
 *   folded wake-up, tested against TraceNames.seen (a load and a compare; a
 *   miss is queued there); a slice skips the per-type tests (always kept by the
 *   trace, always naming its task); a parked slice with a blocker and no holder
 *   (pingpong: every slice) is recognised by one mask compare and its blocker
 *   found by two identity compares (objects, below), the rarer events that carry
 *   something go out of line (carried); then the encoding below, its varints
 *   without a branch on their length (putVarint). Nothing is committed: the
 *   encoder's state, the bytes, the extra longs and the names stay staged until
 *   the caller found the block whole (TraceRing.validFrom) and calls commit; a
 *   torn block is staged again from its first valid event and leaves the lane
 *   as it was (but for interned objects, which only stay alive).
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
 *   Invariant: every entry of extras names an event below count (a staged
 *   block's entries are noted by commit, after its events);
 *   every object index in a held header is below the objects' count (truncate
 *   keeps the objects: a torn block may have interned an object that no held
 *   event names, which only keeps it alive as long as the trace); h1 .. c2 are
 *   the encoder's state after event count - 1.
 *   Nothing reads a chunk event by event on the collector's path: word() and the
 *   decoding exports are for the stop, the exporters and tests. append() (five
 *   longs an event) is for events the trace makes itself (add) and tests; it
 *   encodes as stage does.
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
    private Object last0 = NONE;
    private Object last1 = NONE;
    private int lastIndex0;
    private int lastIndex1;
    private int[] extraAt = new int[16];
    private long[] extraValue = new long[16];
    private int extras;
    /** What stage() left in the staging array for commit(): its bytes, events, the events its
     * budget left out, the encoder's state after them and their extra longs (index, value). */
    private int stagedBytes;
    private int stagedCount;
    private int stagedOver;
    private long stagedH1;
    private long stagedH2;
    private long stagedA1;
    private long stagedC1;
    private long stagedC2;
    private int[] stagedExtraAt = new int[16];
    private long[] stagedExtraValue = new long[16];
    private int stagedExtras;

    /** What last0 and last1 hold before the first intern: no event's object (so a null never hits). */
    private static final Object NONE = new Object();
    /** The header bits that tell a parked slice with a blocker and no holder (stage's common case). */
    private static final long PARKED_MASK = TraceEvent.REF | TraceEvent.EXTRA | 0xFF_00FFL;
    /** Those bits of such a slice. */
    private static final long PARKED_REF = TraceEvent.REF | (long) TraceEvent.ENDED_PARK << 16 | TraceEvent.SLICE;
    /** The event types whose task id (word c) names a green thread: SLICE, WAKE, SPAWN, WAKE_FROM. */
    private static final int NAMED_TYPES = 1 << TraceEvent.SLICE | 1 << TraceEvent.WAKE | 1 << TraceEvent.SPAWN
            | 1 << TraceEvent.WAKE_FROM;
    /** Eight bytes at a time into the staging array (putVarint). */
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

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
        if (stage.length < n * MAX_EVENT_BYTES + Long.BYTES) {
            stage = new byte[n * MAX_EVENT_BYTES + Long.BYTES];
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
                syncPoint(k, bytes + p);
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
        if (!copyStage(p)) {
            return 0; // the state and the stream are as they were; a sync entry past count is rewritten later
        }
        count += n;
        h1 = sh1;
        h2 = sh2;
        a1 = sa1;
        c1 = sc1;
        c2 = sc2;
        return n;
    }

    /**
     * The collector's pass over a ring (TraceSession.drain; "The collector's pass"
     * in the class comment): encodes ring events {@code [from, from + n)} straight
     * from the ring's words into the staging array, as the events count, count + 1,
     * ... of this lane, without committing them: the caller checks the copy for
     * tearing ({@link TraceRing#validFrom()}), then calls {@link #commit()}, or
     * drops the staged events by staging again. On the way it leaves out the
     * kinds {@code keepTypes} does not keep and those beyond {@code budget}
     * (counted in {@link #stagedOver()}), interns a kept parked slice's blocker
     * (when {@code keepParks}) into the header, notes the extra long of such a
     * slice, queues in {@code names} the task ids it does not know
     * ({@link TraceNames#seen}) and the names spawns and exits carry, and strips
     * every other event's object and extra bits.
     *
     * @param r         the ring
     * @param from      the first event number; {@code n} events from it are published
     * @param n         how many, at most the ring's capacity and the room left in the lane
     * @param keepTypes bit t set: events of type t are kept (WAKE_FROM: per event, wakeFromKept)
     * @param keepParks whether a parked slice keeps its blocker and holder
     * @param budget    how many more events the trace keeps
     * @param names     the trace's names
     * @return the events staged
     */
    int stage(TraceRing r, long from, int n, int keepTypes, boolean keepParks, long budget, TraceNames names) {
        int room = n * MAX_EVENT_BYTES + Long.BYTES;
        if (stage.length < room) {
            stage = new byte[room];
        }
        byte[] st = stage;
        long[] buf = r.words();
        Object[] slots = r.objectSlots();
        long[] seen = names.seen;
        int mask = r.capacity() - 1;
        long sh1 = h1;
        long sh2 = h2;
        long sa1 = a1;
        long sc1 = c1;
        long sc2 = c2;
        int p = 0;
        int kept = 0;
        int over = 0;
        stagedExtras = 0;
        // A parked slice with a blocker takes the inline path only when such slices keep it (stage's javadoc).
        boolean keepSlices = (keepTypes & 1 << TraceEvent.SLICE) != 0;
        long parkedRef = keepParks && keepSlices ? PARKED_REF : -1L;
        int limit = (int) Math.max(0, Math.min(budget, n)); // events kept at most
        // At most two runs of slots (the range may wrap around the ring's end), each a counted
        // loop over the words, so the JIT drops the per-event bounds checks on buf.
        int first = (int) from & mask;
        int head = Math.min(n, mask + 1 - first);
        for (int run = 0; run < 2; run++) {
            int lo = run == 0 ? first : 0;
            int hi = run == 0 ? first + head : n - head;
            for (int e = lo; e < hi; e++) {
                int i = e * TraceRing.WORDS;
                long h = buf[i];
                long a = buf[i + 1];
                long w2 = buf[i + 2];
                long w3 = buf[i + 3];
                int type = (int) h & 0xFF;
                long b;
                long c;
                long d;
                boolean keep;
                if (type == TraceEvent.SLICE) { // TraceRing, "Format"; a slice always names its task
                    long length = h >>> TraceRing.LENGTH_SHIFT;
                    h &= TraceRing.HEADER_MASK;
                    c = w2;
                    boolean wide = length == TraceRing.WIDE;
                    b = wide ? w3 : a + length;
                    d = wide ? 0 : w3;
                    keep = keepSlices;
                    if (seen[(int) c & (TraceNames.SEEN - 1)] != c) {
                        names.miss(c);
                    }
                    if (d != 0 && seen[(int) d & (TraceNames.SEEN - 1)] != d) {
                        names.miss(d); // a folded wake-up's woken thread (TraceEvent)
                    }
                } else {
                    b = w2;
                    c = w3;
                    d = 0;
                    keep = (keepTypes >>> type & 1) != 0 && (type != TraceEvent.WAKE_FROM || wakeFromKept(keepTypes, h));
                    if ((NAMED_TYPES >>> type & 1) != 0 && seen[(int) c & (TraceNames.SEEN - 1)] != c) {
                        names.miss(c);
                    }
                }
                if ((h & (TraceEvent.REF | TraceEvent.EXTRA)) != 0) {
                    if ((h & PARKED_MASK) == parkedRef) {
                        // A parked slice's blocker (pingpong: every slice): kept as an index in the header
                        // ("objects"), found by two compares in the common case.
                        Object o = slots[e];
                        int k = o == last0 ? lastIndex0 : o == last1 ? lastIndex1 : o == null ? -1 : intern(o);
                        h = k < 0 ? h & ~TraceEvent.REF : h | (long) k << OBJ_SHIFT;
                    } else {
                        h = carried(r, e, h, c, keep && kept < limit ? count + kept : -1, keepParks, names);
                    }
                }
                if (!keep) {
                    continue;
                }
                if (kept >= limit) {
                    over++;
                    continue;
                }
                int k = count + kept++;
                if ((k & (SYNC_EVERY - 1)) == 0) {
                    syncPoint(k, bytes + p);
                    sh1 = sh2 = sa1 = sc1 = sc2 = 0;
                }
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
        }
        stagedBytes = p;
        stagedCount = kept;
        stagedOver = over;
        stagedH1 = sh1;
        stagedH2 = sh2;
        stagedA1 = sa1;
        stagedC1 = sc1;
        stagedC2 = sc2;
        return kept;
    }

    /**
     * The rarer events that carry something (stage): a parked slice with a holder,
     * or without a blocker (its blocker interned and its extra long staged if it is
     * kept, as event {@code at} of the lane), or one whose object is a name (queued
     * in names); every other event loses its object and extra bits.
     *
     * @return the header as the lane keeps it
     */
    private long carried(TraceRing r, int e, long h, long c, int at, boolean keepParks, TraceNames names) {
        boolean kept = at >= 0;
        int type = TraceEvent.type(h);
        if (keepParks && type == TraceEvent.SLICE && TraceEvent.ended(h) == TraceEvent.ENDED_PARK) {
            if ((h & TraceEvent.REF) != 0 && kept) {
                Object o = r.objectSlots()[e];
                int k = o == null ? -1 : intern(o);
                h = k < 0 ? h & ~TraceEvent.REF : h | (long) k << OBJ_SHIFT;
            }
            if ((h & TraceEvent.EXTRA) != 0 && kept) {
                stageExtra(at, r.extraSlots()[e]);
            }
            return h;
        }
        if ((h & TraceEvent.REF) != 0 && carriesName(type, h) && r.objectSlots()[e] instanceof String name) {
            names.carried(c, name); // a spawn, and the slice in which a thread ended, carry its name
        }
        return h & ~(TraceEvent.REF | TraceEvent.EXTRA);
    }

    /** Whether a WAKE_FROM with header {@code h} is kept: as a spawn or as a wake-up (TraceSession.typesOf). */
    private static boolean wakeFromKept(int keepTypes, long h) {
        return (keepTypes & 1 << (TraceEvent.ended(h) == 1 ? TraceEvent.SPAWN : TraceEvent.WAKE)) != 0;
    }

    /** Whether an event of {@code type} with header {@code h} carries a thread's name as its object. */
    private static boolean carriesName(int type, long h) {
        return type == TraceEvent.SPAWN || (type == TraceEvent.WAKE_FROM && TraceEvent.ended(h) == 1)
                || (type == TraceEvent.SLICE && TraceEvent.ended(h) == TraceEvent.ENDED_EXIT);
    }

    /** Notes sync point {@code k / SYNC_EVERY} at stream offset {@code at}. */
    private void syncPoint(int k, long at) {
        int s = k / SYNC_EVERY;
        if (s == syncAt.length) {
            syncAt = Arrays.copyOf(syncAt, s * 2);
        }
        syncAt[s] = at;
    }

    private void stageExtra(int k, long extra) {
        if (stagedExtras == stagedExtraAt.length) {
            stagedExtraAt = Arrays.copyOf(stagedExtraAt, stagedExtras * 2);
            stagedExtraValue = Arrays.copyOf(stagedExtraValue, stagedExtras * 2);
        }
        stagedExtraAt[stagedExtras] = k;
        stagedExtraValue[stagedExtras] = extra;
        stagedExtras++;
    }

    /**
     * Events the last {@link #stage} left out because its budget was spent.
     *
     * @return how many
     */
    int stagedOver() {
        return stagedOver;
    }

    /**
     * Appends what the last {@link #stage} encoded: one bulk copy of its bytes.
     *
     * @return the events appended: all staged, or 0 if no memory was left for a chunk
     */
    int commit() {
        int p = stagedBytes;
        int n = stagedCount;
        stagedCount = 0;
        if (!copyStage(p)) {
            return 0; // the state and the stream are as they were; a sync entry past count is rewritten later
        }
        count += n;
        h1 = stagedH1;
        h2 = stagedH2;
        a1 = stagedA1;
        c1 = stagedC1;
        c2 = stagedC2;
        for (int i = 0; i < stagedExtras; i++) {
            addExtra(stagedExtraAt[i], stagedExtraValue[i]);
        }
        stagedExtras = 0;
        return n;
    }

    /** Copies the staging array's first {@code p} bytes to the end of the stream; false if no memory was left. */
    private boolean copyStage(int p) {
        if (!reserve(bytes + p)) {
            return false;
        }
        for (int done = 0; done < p; ) {
            long at = bytes + done;
            int off = (int) (at & (CHUNK_BYTES - 1));
            int k = Math.min(p - done, CHUNK_BYTES - off);
            MemorySegment.copy(stage, done, chunks.get((int) (at / CHUNK_BYTES)), ValueLayout.JAVA_BYTE, off, k);
            done += k;
        }
        bytes += p;
        return true;
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    /**
     * Writes {@code v} as an unsigned LEB128 varint at {@code p}; returns the position
     * after it. Below 2^56 (every delta of a trace's times and ids in practice) without
     * a branch on the length: the seven-bit groups spread into bytes
     * ({@code Long.expand}, one PDEP on x86 with BMI2), the continuation bits of all but
     * the last byte set, and one eight-byte store (the array has {@code Long.BYTES} of
     * slack past any varint's end; bytes past the varint are overwritten by the next).
     */
    private static int putVarint(byte[] st, int p, long v) {
        if (v >>> 56 == 0) {
            int len = (70 - Long.numberOfLeadingZeros(v | 1)) * 37 >>> 8; // ceil(bits / 7): exact for 1..63 bits
            long x = Long.expand(v, 0x7F7F7F7F7F7F7F7FL) | (0x8080808080808080L & ((1L << (8 * len - 8)) - 1));
            LONG_LE.set(st, p, x);
            return p + len;
        }
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
