package io.verdant.internal;

import io.verdant.Pid;

import java.util.function.LongSupplier;

/**
 * The default destination of dead letters (messages sent to a pid that names
 * no live green thread, refused or dropped by a bounded mailbox, or replies
 * after their call ended) when no {@code Config.deadLetterHandler} is set: a
 * rate-limited INFO record on the {@value #LOGGER} logger, as Pekko logs them.
 *
 * <pre>
 * Rate limit
 *   Time is cut into windows of WINDOW_NANOS, opened by the first dead letter
 *   after the previous window ended. In a window the first LIMIT dead letters
 *   are logged, one record each; the LIMIT-th record says that further ones
 *   are not logged until the window ends; the rest are only counted. The first
 *   record of the next window says how many were not logged before it, so a
 *   flood costs LIMIT records per window and its size is still reported.
 *   Each record names the message's class (never its contents, which may be
 *   large or private), the pid and the runtime, why it was not delivered
 *   (one of the reasons below), and the running total.
 *
 * Threads
 *   record(): any thread (senders). The counters are guarded by this object's
 *   monitor: a dead letter is an error path, and logging costs far more than
 *   the lock; the logging itself happens outside the monitor.
 * </pre>
 */
public final class DeadLetters {
    /** The logger name: route or silence dead-letter records with it. */
    static final String LOGGER = "io.verdant.deadletters";
    /** Records per window: enough to show what is going on, few enough that a
     * flood cannot drown the log (Pekko's default log-dead-letters is 10). Chosen, not measured. */
    static final int LIMIT = 10;
    /** Window length: 10 s. A flood is summarised every 10 s at most; chosen, not measured. */
    static final long WINDOW_NANOS = 10_000_000_000L;

    private static final System.Logger LOG = System.getLogger(LOGGER);

    private final String runtimeName;
    private final LongSupplier nanoClock;
    /** Guarded by this. */
    private long windowStart;
    private boolean windowOpen;
    private int loggedInWindow;
    private long suppressed;
    private long total;

    /**
     * @param runtimeName the runtime named in each record
     * @param nanoClock   a monotonic clock in nanoseconds (System::nanoTime; tests inject their own)
     */
    DeadLetters(String runtimeName, LongSupplier nanoClock) {
        this.runtimeName = runtimeName;
        this.nanoClock = nanoClock;
    }

    // Reasons a record gives (after "was not delivered").
    /** Sent to a pid that names no live thread (dead, stale, or ended while the sender waited for room). */
    public static final String NO_SUCH_THREAD = "no live green thread has that pid";
    /** Refused by a full bounded mailbox (DROP_NEWEST, or a timer's send to BLOCK or FAIL). */
    public static final String MAILBOX_FULL = "its bounded mailbox was full";
    /** Queued, then dropped by a DROP_OLDEST mailbox. */
    public static final String DROPPED_OLDEST = "its bounded mailbox (DROP_OLDEST) dropped it for a newer message";
    /** A reply to a call that had ended (pid: the caller). */
    public static final String LATE_REPLY = "a reply that came after its call ended";

    /** Any thread: {@link #record(Pid, Object, String)} of a message to a pid that names no live thread. */
    void record(Pid pid, Object msg) {
        record(pid, msg, NO_SUCH_THREAD);
    }

    /** Any thread: counts one dead letter and logs it, with {@code reason}, unless the window's limit is reached. */
    void record(Pid pid, Object msg, String reason) {
        if (!LOG.isLoggable(System.Logger.Level.INFO)) {
            return;
        }
        long now = nanoClock.getAsLong();
        long notLoggedBefore;
        long count;
        boolean last;
        synchronized (this) {
            total++;
            if (!windowOpen || now - windowStart >= WINDOW_NANOS) {
                windowOpen = true;
                windowStart = now;
                loggedInWindow = 0;
            }
            if (loggedInWindow >= LIMIT) {
                suppressed++;
                return;
            }
            loggedInWindow++;
            last = loggedInWindow == LIMIT;
            notLoggedBefore = suppressed;
            suppressed = 0;
            count = total;
        }
        StringBuilder b = new StringBuilder(160)
                .append("runtime '").append(runtimeName).append("': dead letter: a message of type ")
                .append(msg.getClass().getName()).append(" to ").append(pid)
                .append(" was not delivered (").append(reason).append("); ")
                .append(count).append(count == 1 ? " dead letter" : " dead letters").append(" so far");
        if (notLoggedBefore > 0) {
            b.append(", ").append(notLoggedBefore).append(" of them not logged before this one");
        }
        if (last) {
            b.append("; further dead letters are not logged for ").append(WINDOW_NANOS / 1_000_000_000L)
                    .append(" s (set Config.deadLetterHandler to see every one)");
        }
        OffThreadLog.log(LOG, System.Logger.Level.INFO, b.toString(), null);
    }
}
