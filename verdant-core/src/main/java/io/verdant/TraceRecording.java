package io.verdant;

import java.nio.file.Path;

/**
 * A scheduling trace of a runtime: which green thread ran on which carrier and
 * when, how each was found (LIFO slot, local queue, injection, steal) and why it
 * stopped (park, yield, preemption, exit), who woke whom, spawns, steals, idle
 * carriers, preemption requests, stalls and spare carriers.
 *
 * <p>From {@link Verdant#startTrace()} (records until {@link #stop()} or
 * {@link #close()}) or {@link Verdant#flightRecording()} (a copy of the flight
 * recorder's last events, already stopped). Carriers write their events into
 * rings of their own without locks; a background thread collects them. A carrier
 * never waits for the trace: when the collector falls behind, the oldest events
 * are overwritten and counted in {@link #dropped()}.
 *
 * <p>Write it as Chrome trace-event JSON ({@link #writeChromeJson(Path)}; open it
 * in <a href="https://ui.perfetto.dev">ui.perfetto.dev</a> or {@code chrome://tracing})
 * or as one self-contained HTML page ({@link #writeHtml(Path)}; one lane per carrier,
 * slices coloured by green thread, no script). Writing while it records writes
 * what has been collected so far. Thread-safe.
 */
public interface TraceRecording extends AutoCloseable {
    /**
     * Stops recording (the events collected are kept and can still be written).
     * The trace then holds every slice that ended before this method returned: it
     * waits for the slice each carrier is running to end (at most half a second in
     * all; a slice ends at its thread's next park, yield or honoured preemption), and
     * a slice still running after that is kept cut at the time stop was called, its
     * reason {@code "running"}; so is the caller's own slice when it is a green thread
     * (it is not waited for). Events written after the return are not in the trace.
     * Idempotent; a recording also stops when its runtime closes.
     */
    void stop();

    /** The same as {@link #stop()}. */
    @Override
    void close();

    /**
     * Whether it still records.
     *
     * @return false once stopped, or for a flight recording
     */
    boolean isRecording();

    /**
     * The number of events held (slices, wake-ups, spawns, steals, idle periods and the ticker's events).
     *
     * @return events collected so far
     */
    long events();

    /**
     * Events lost because they were overwritten before they were collected (the
     * collector fell behind, or, for a flight recording, they were older than the
     * rings hold). Carriers never wait for a reader: they overwrite and this counts.
     *
     * @return events dropped so far
     */
    long dropped();

    /**
     * Writes the trace as Chrome trace-event JSON: one {@code "X"} event per slice
     * ({@code tid} = carrier), flow events ({@code "s"}/{@code "f"}) from waker to
     * woken and from parent to child, instant events for steals, preemption
     * requests, stalls and spare carriers.
     *
     * @param out where to write
     * @throws NullPointerException if {@code out} is null
     * @throws java.io.UncheckedIOException if {@code out} throws an IOException
     */
    void writeChromeJson(Appendable out);

    /**
     * Writes the Chrome trace-event JSON (see {@link #writeChromeJson(Appendable)}) to a file, replacing it.
     *
     * @param file the file to write
     * @throws NullPointerException if {@code file} is null
     * @throws java.io.UncheckedIOException if the file cannot be written
     */
    void writeChromeJson(Path file);

    /**
     * Writes the trace as one self-contained HTML page: an inline SVG with a lane
     * per carrier, each slice a bar coloured by its green thread (the same thread
     * always gets the same colour), a time axis and a legend of the threads that
     * ran longest. No script and nothing fetched: it opens in any browser.
     *
     * @param out where to write
     * @throws NullPointerException if {@code out} is null
     * @throws java.io.UncheckedIOException if {@code out} throws an IOException
     */
    void writeHtml(Appendable out);

    /**
     * Writes the HTML page (see {@link #writeHtml(Appendable)}) to a file, replacing it.
     *
     * @param file the file to write
     * @throws NullPointerException if {@code file} is null
     * @throws java.io.UncheckedIOException if the file cannot be written
     */
    void writeHtml(Path file);
}
