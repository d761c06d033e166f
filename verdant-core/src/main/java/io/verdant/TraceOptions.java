package io.verdant;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How {@link Verdant#startTrace(TraceOptions)} records: the size of each
 * carrier's ring, which kinds of events the trace keeps, and when it stops by
 * itself (after a duration, or once it holds a number of events). Immutable;
 * each setter returns a new instance and fails fast, naming the bad argument.
 *
 * <pre>{@code
 * TraceOptions slicesOnly = TraceOptions.defaults()
 *         .record(TraceOptions.Kind.SLICES)        // no wake-up arrows, spawns, steals, blockers
 *         .maxDuration(Duration.ofSeconds(5))      // stops itself after 5 s
 *         .maxEvents(1_000_000);                   // or once it holds a million events
 * }</pre>
 *
 * <p>What the options change: the kinds and the limits decide what the trace
 * <em>keeps</em> (its memory and the size of the files it writes). Carriers
 * write every kind into their rings either way (the rings are shared by every
 * trace recording at once and by the flight recorder), so leaving kinds out
 * does not make dispatch cheaper; stopping early does. The ring size applies
 * only when no rings are installed yet: while the flight recorder is on or
 * another trace records, the trace reads the rings already there.
 */
public final class TraceOptions {
    /** Events per carrier ring by default: 2^17 (5.5 MiB per carrier at 44 bytes per event),
     * about 40 ms of a carrier writing three million events a second; the collector drains a
     * ring when it is about a quarter full, so three quarters stay as headroom. */
    public static final int DEFAULT_RING_EVENTS = 1 << 17;
    /** The smallest ring: 64 events. A smaller ring wraps between two collections (1 ms apart
     * at the shortest) as soon as a carrier writes more than 64,000 events a second, and drops
     * most of them. */
    public static final int MIN_RING_EVENTS = 64;
    /** The largest ring: 2^26 events (2 GiB per carrier). */
    public static final int MAX_RING_EVENTS = 1 << 26;

    /**
     * Kinds of events a trace can keep.
     */
    public enum Kind {
        /** Slices: a green thread (or foreign task) running on a carrier, with how it was found and why it
         * stopped. Always kept: every other kind is drawn on slices. */
        SLICES,
        /** Idle periods of a carrier (parked with nothing to run). Left out, they are not exported, but the
         * trace still holds them (counted in {@link TraceRecording#events()} and by {@link #maxEvents(long)}):
         * an idle period's begin is the clock read that times the slices before it. */
        IDLE,
        /** Wake-ups: arrows from the waker's slice, or from the timer, I/O or outside source, to the woken
         * thread's next slice. */
        WAKES,
        /** Spawns: arrows from the parent's slice (or a source) to the child's first slice. A spawn still
         * names its thread when left out. */
        SPAWNS,
        /** Steals: a carrier took work from another. */
        STEALS,
        /** What a slice that parked waited on: its blocker and, for a {@link Mutex}, the holder at the park.
         * Without it a parked slice still says it parked. */
        PARKS,
        /** The ticker's events: preemption requests, stalls, spare carriers started and retired, queue depths. */
        SCHEDULER
    }

    private static final TraceOptions DEFAULTS =
            new TraceOptions(DEFAULT_RING_EVENTS, EnumSet.allOf(Kind.class), null, Long.MAX_VALUE);

    private final int ringEvents;
    private final Set<Kind> kinds;
    private final Duration maxDuration;
    private final long maxEvents;

    private TraceOptions(int ringEvents, Set<Kind> kinds, Duration maxDuration, long maxEvents) {
        this.ringEvents = ringEvents;
        this.kinds = Collections.unmodifiableSet(EnumSet.copyOf(kinds));
        this.maxDuration = maxDuration;
        this.maxEvents = maxEvents;
    }

    /**
     * The options of {@link Verdant#startTrace()}: rings of {@link #DEFAULT_RING_EVENTS}
     * events, every kind kept, no time limit, no limit on events but the
     * per-carrier one (2^21 events per carrier; later ones are dropped and counted).
     *
     * @return the default options
     */
    public static TraceOptions defaults() {
        return DEFAULTS;
    }

    /**
     * The number of events each carrier's ring holds, if the trace installs the
     * rings (see the class comment). A bigger ring survives a longer stall of the
     * collector thread without dropping events; it costs 44 bytes per event and
     * carrier (four longs, an object slot and a long slot).
     *
     * @param events events per carrier ring: a power of two from {@link #MIN_RING_EVENTS}
     *               to {@link #MAX_RING_EVENTS}
     * @return a copy with the setting changed
     * @throws IllegalArgumentException if {@code events} is not a power of two in that range
     */
    public TraceOptions ringEvents(int events) {
        if (events < MIN_RING_EVENTS || events > MAX_RING_EVENTS || Integer.bitCount(events) != 1) {
            throw new IllegalArgumentException("ringEvents must be a power of two from " + MIN_RING_EVENTS + " to 2^26 ("
                    + MAX_RING_EVENTS + "), was " + events);
        }
        return new TraceOptions(events, kinds, maxDuration, maxEvents);
    }

    /**
     * Keeps exactly these kinds of events (the others are discarded as they are
     * collected). {@link Kind#SLICES} must be among them.
     *
     * @param first a kind to keep
     * @param more  further kinds to keep
     * @return a copy with the setting changed
     * @throws NullPointerException if {@code first}, {@code more} or an element of {@code more} is null
     * @throws IllegalArgumentException if {@link Kind#SLICES} is not among them
     */
    public TraceOptions record(Kind first, Kind... more) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(more, "more");
        EnumSet<Kind> set = EnumSet.of(first);
        for (int i = 0; i < more.length; i++) {
            set.add(Objects.requireNonNull(more[i], "more[" + i + "]"));
        }
        return record(set);
    }

    /**
     * Keeps exactly the kinds in {@code kinds} (see {@link #record(Kind, Kind...)}).
     *
     * @param kinds the kinds to keep; must contain {@link Kind#SLICES}
     * @return a copy with the setting changed
     * @throws NullPointerException if {@code kinds} or an element of it is null
     * @throws IllegalArgumentException if {@code kinds} does not contain {@link Kind#SLICES}
     */
    public TraceOptions record(Set<Kind> kinds) {
        Objects.requireNonNull(kinds, "kinds");
        EnumSet<Kind> set = EnumSet.noneOf(Kind.class);
        for (Kind k : kinds) {
            set.add(Objects.requireNonNull(k, "kinds must not contain null"));
        }
        if (!set.contains(Kind.SLICES)) {
            throw new IllegalArgumentException("kinds must contain Kind.SLICES (every other kind is drawn on slices), was "
                    + set);
        }
        return new TraceOptions(ringEvents, set, maxDuration, maxEvents);
    }

    /**
     * Stops the trace by itself this long after it started (as if
     * {@link TraceRecording#stop()} were called then); it can still be stopped earlier.
     *
     * @param duration how long to record at most; positive
     * @return a copy with the setting changed
     * @throws NullPointerException if {@code duration} is null
     * @throws IllegalArgumentException if {@code duration} is zero or negative
     */
    public TraceOptions maxDuration(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("maxDuration must be positive, was " + duration);
        }
        return new TraceOptions(ringEvents, kinds, duration, maxEvents);
    }

    /**
     * Keeps at most {@code events} events in all; once it holds that many the
     * trace stops by itself, and events collected beyond it are dropped and
     * counted in {@link TraceRecording#dropped()}. (Each carrier's lane also keeps
     * at most 2^21 events, whatever this limit.)
     *
     * @param events the most events kept; at least 1
     * @return a copy with the setting changed
     * @throws IllegalArgumentException if {@code events} is less than 1
     */
    public TraceOptions maxEvents(long events) {
        if (events < 1) {
            throw new IllegalArgumentException("maxEvents must be at least 1, was " + events);
        }
        return new TraceOptions(ringEvents, kinds, maxDuration, events);
    }

    /**
     * Events per carrier ring.
     *
     * @return the ring size in events
     */
    public int ringEvents() {
        return ringEvents;
    }

    /**
     * The kinds of events kept.
     *
     * @return an unmodifiable set, always containing {@link Kind#SLICES}
     */
    public Set<Kind> kinds() {
        return kinds;
    }

    /**
     * Whether events of {@code kind} are kept.
     *
     * @param kind a kind
     * @return true if kept
     * @throws NullPointerException if {@code kind} is null
     */
    public boolean records(Kind kind) {
        return kinds.contains(Objects.requireNonNull(kind, "kind"));
    }

    /**
     * How long the trace records at most.
     *
     * @return the limit, or empty for none
     */
    public Optional<Duration> maxDuration() {
        return Optional.ofNullable(maxDuration);
    }

    /**
     * The most events kept.
     *
     * @return the limit; {@link Long#MAX_VALUE} for none
     */
    public long maxEvents() {
        return maxEvents;
    }

    @Override
    public String toString() {
        return "TraceOptions[ringEvents=" + ringEvents + ", kinds=" + kinds + ", maxDuration="
                + (maxDuration == null ? "none" : maxDuration) + ", maxEvents="
                + (maxEvents == Long.MAX_VALUE ? "none" : maxEvents) + "]";
    }
}
