package io.verdant.examples.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP server written in plain blocking style: one thread accepts, and every
 * accepted connection gets its own thread (a green thread when the
 * {@link ThreadStarter} is {@link ThreadStarter#green}). Subclasses implement
 * {@link #serve(Connection)}. Optional timeouts (an idle connection is closed;
 * a request that takes too long to arrive is cut short) are enforced by one
 * sweeper thread per server, not by socket read timeouts: see "Timeouts".
 *
 * <pre>
 * Threads and who touches what
 *   accept thread   runs acceptLoop: registers each connection in
 *                   {@code connections}, then starts its thread.
 *   connection      runs serve(), then closes its socket and deregisters
 *   threads         (finally block: a failing or disconnected client always
 *                   ends its thread and frees its entry).
 *   sweeper         (only if a timeout is set) runs sweepLoop: every tick it
 *                   reads each connection's state word and expires the ones
 *                   that have sat in a timed phase for longer than its timeout.
 *   closer          any thread calling close().
 *
 * Connection.state is one word, (sequence << 3) | phase, changed by CAS only.
 * The sequence is bumped each time a unit of work ends, so a word the sweeper
 * sees twice means "no progress in between" (see Timeouts).
 *       IDLE    -> BUSY      beginWork: the connection thread starts an untimed
 *                            unit of work (echo: a write)
 *       IDLE    -> READING   beginRequest: a request has begun to arrive; the
 *                            request timeout runs
 *       READING -> BUSY      requestReceived: the request is complete
 *       READING,
 *       BUSY    -> IDLE      endWork (sequence + 1): the unit of work is done
 *       IDLE    -> CLOSED    close() or the sweeper (idle timeout) found it idle:
 *                            closes its socket, which wakes the blocked read with
 *                            a SocketException
 *       READING,
 *       BUSY    -> CLOSING   close() found it busy: the thread finishes the current
 *                            unit, tells the peer it is the last (HTTP:
 *                            "Connection: close"), then ends
 *       READING -> TIMED_OUT the sweeper (request timeout): shuts the socket's
 *                            input down, so the blocked read returns end of
 *                            stream; the thread sees TIMED_OUT, answers (HTTP:
 *                            408) and ends
 *       any     -> CLOSED    the connection ends (end) or the final force-close
 *   A connection thread's CAS fails only when close() or the sweeper got there
 *   first; it then ends (or finishes its unit of work, for CLOSING).
 *
 * Timeouts (why a sweeper and not Socket.setSoTimeout)
 *   A read with SO_TIMEOUT on a virtual thread is a timed park, and the JDK
 *   times a timed park of a virtual thread whose scheduler is not a
 *   ForkJoinPool (every green thread) with its shared ScheduledThreadPoolExecutors
 *   (VirtualThread.DelayedTaskSchedulers): a locked heap insert when the read
 *   blocks and a locked removal when data comes, per request. Instead each
 *   connection thread only moves its state word (the CASes above, which close()
 *   needs anyway, plus READING -> BUSY), and one sweeper thread per server
 *   looks at every connection once per tick:
 *     1. word != seenState: the connection made progress; remember the word
 *        and the time (seenAt).
 *     2. word == seenState and the phase has a timeout and now - seenAt >=
 *        timeout: expire it by a CAS from exactly that word (IDLE -> CLOSED,
 *        READING -> TIMED_OUT). The CAS fails if the connection moved on in
 *        between, so a connection that just made progress is never expired.
 *   seenState and seenAt are written by the accept thread before the
 *   connection is published (set add) and by the sweeper afterwards, never by
 *   anyone else. A timeout therefore fires between timeout and timeout + 2
 *   ticks after the connection entered the phase (the sweeper notices the
 *   change up to one tick late and checks once per tick), never early. The
 *   sweeper itself parks once per tick: one JDK timer per tick per server,
 *   whatever the request rate.
 *
 * Shutdown (close)
 *   1. closing = true; the listening socket is closed, so accept() throws and
 *      the accept thread ends (no new connection can register after step 1:
 *      acceptLoop re-checks closing after registering and closes the socket);
 *      the sweeper is unparked and ends.
 *   2. every idle connection is closed; busy ones are marked CLOSING.
 *   3. wait up to the grace period for all connection threads (and the
 *      sweeper) to end.
 *   4. force-close every socket still open (a busy connection stuck on a slow
 *      peer), and wait for their threads, which now fail fast, to end.
 *   The server's threads also end when their thread system interrupts them
 *   (a runtime closed before the server, a pool shut down now): the accept
 *   loop's socket and the connections' sockets are closed by the interrupt,
 *   and the sweeper ends when it sees its interrupt status.
 *   Nothing leaks: each connection thread deregisters itself in a finally
 *   block, and close() only returns when the registry is empty and the accept
 *   and sweeper threads have ended, or the final wait of step 4 timed out (then
 *   it reports how many are left).
 * </pre>
 */
public abstract class SocketServer implements AutoCloseable {
    // Phases of Connection.state (the low 3 bits; see the class comment). Order
    // matters: closeRequested() is phase >= CLOSING.
    static final int IDLE = 0;
    static final int READING = 1;
    static final int BUSY = 2;
    static final int CLOSING = 3;
    static final int TIMED_OUT = 4;
    static final int CLOSED = 5;
    private static final int PHASE_BITS = 3;
    private static final long PHASE_MASK = (1L << PHASE_BITS) - 1;
    /** One unit of work ended: the sequence step in a state word. */
    private static final long SEQUENCE_ONE = 1L << PHASE_BITS;

    /**
     * Ticks per shortest timeout: a timeout fires within timeout + 2 ticks, so
     * at most 25 % late; a sweep of 1,000 connections is a few microseconds, so
     * sweeping 8 times per timeout costs nothing next to serving them. Chosen, not
     * measured.
     */
    private static final int TICKS_PER_TIMEOUT = 8;
    /** Shortest tick: timeouts below a few milliseconds are not what this server is for. */
    private static final long MIN_TICK_NANOS = 1_000_000L;
    /** Longest tick: long timeouts (30 s) still fire within about 2 s of their time; one park per second is nothing. */
    private static final long MAX_TICK_NANOS = 1_000_000_000L;

    private final String name;
    private final ThreadStarter threads;
    private final ServerSocket listener;
    private final Duration shutdownGrace;
    /** Idle timeout in ns, 0 for none; final, read by the sweeper. */
    private final long idleTimeoutNanos;
    /** Request timeout in ns, 0 for none; final, read by the sweeper. */
    private final long requestTimeoutNanos;
    /** The sweeper's park between sweeps, 0 if there is no sweeper (no timeout). */
    private final long tickNanos;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final Object endLock = new Object();
    private volatile boolean closing;
    private volatile boolean acceptEnded;
    /** True once the sweeper has ended, or from the start when there is none. */
    private volatile boolean sweepEnded;
    /** The sweeper's thread once it runs (it publishes itself), for close() to unpark; else null. */
    private volatile Thread sweeper;

    /**
     * Binds {@code address} (backlog {@code backlog}) for a server with no
     * timeouts. The subclass's constructor calls {@link #startAccepting()} last,
     * once its own fields are set (starting the accept loop here would let
     * {@link #serve} run on a half-built subclass).
     *
     * @param name          prefix of the server's thread names
     * @param threads       starts the accept thread and one thread per connection
     * @param address       the address to listen on
     * @param backlog       the listen backlog
     * @param shutdownGrace how long {@link #close()} lets requests in progress finish
     * @throws IOException if the address cannot be bound
     */
    protected SocketServer(String name, ThreadStarter threads, InetSocketAddress address, int backlog,
            Duration shutdownGrace) throws IOException {
        this(name, threads, address, backlog, shutdownGrace, Duration.ZERO, Duration.ZERO);
    }

    /**
     * Binds {@code address} (backlog {@code backlog}) for a server whose
     * connections time out: a connection {@linkplain Connection#endWork() idle}
     * for {@code idleTimeout} is closed, and one that has been
     * {@linkplain Connection#beginRequest() reading a request} for
     * {@code requestTimeout} has its input shut down (its read returns end of
     * stream and {@link Connection#timedOut()} says why). Zero disables either.
     * The subclass's constructor calls {@link #startAccepting()} last.
     *
     * @param name           prefix of the server's thread names
     * @param threads        starts the accept thread, the sweeper and one thread per connection
     * @param address        the address to listen on
     * @param backlog        the listen backlog
     * @param shutdownGrace  how long {@link #close()} lets requests in progress finish
     * @param idleTimeout    how long a connection may sit idle; zero: no limit
     * @param requestTimeout how long a request may take to arrive from its first byte; zero: no limit
     * @throws IOException              if the address cannot be bound
     * @throws IllegalArgumentException if a timeout is negative
     */
    protected SocketServer(String name, ThreadStarter threads, InetSocketAddress address, int backlog,
            Duration shutdownGrace, Duration idleTimeout, Duration requestTimeout) throws IOException {
        this.name = Objects.requireNonNull(name, "name");
        this.threads = Objects.requireNonNull(threads, "threads");
        this.shutdownGrace = Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        this.idleTimeoutNanos = nanos(idleTimeout, "idleTimeout");
        this.requestTimeoutNanos = nanos(requestTimeout, "requestTimeout");
        long shortest = Math.min(idleTimeoutNanos > 0 ? idleTimeoutNanos : Long.MAX_VALUE,
                requestTimeoutNanos > 0 ? requestTimeoutNanos : Long.MAX_VALUE);
        this.tickNanos = shortest == Long.MAX_VALUE ? 0
                : Math.clamp(shortest / TICKS_PER_TIMEOUT, MIN_TICK_NANOS, MAX_TICK_NANOS);
        this.sweepEnded = tickNanos == 0;
        Objects.requireNonNull(address, "address");
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(address, backlog);
    }

    private static long nanos(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, was " + d);
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /** Starts the accept loop (and the sweeper, if a timeout is set); called once, at the end of the subclass's constructor. */
    protected final void startAccepting() {
        boolean sweeperStarted = false;
        try {
            if (tickNanos > 0) {
                threads.start(name + "-sweeper", this::sweepLoop);
                sweeperStarted = true;
            }
            threads.start(name + "-accept", this::acceptLoop);
        } catch (RuntimeException e) {
            // The thread system refused (runtime closed): end the sweeper, free the port.
            acceptEnded = true;
            if (!sweeperStarted) {
                sweepEnded = true;
            }
            close();
            throw e;
        }
    }

    /**
     * Serves one connection until the peer is done; exceptions end the connection only.
     *
     * @param c the connection, registered and in phase IDLE
     * @throws IOException if the connection fails; it is then closed
     */
    protected abstract void serve(Connection c) throws IOException;

    /**
     * The bound port.
     *
     * @return the port
     */
    public int port() {
        return listener.getLocalPort();
    }

    /**
     * The bound address.
     *
     * @return the address
     */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /**
     * Connections open now (each has its own thread); a snapshot.
     *
     * @return the number of open connections
     */
    public int openConnections() {
        return connections.size();
    }

    /**
     * Connections reading a request now (phase READING: a request has begun to
     * arrive and is not complete); a snapshot, for tests: close() lets such a
     * connection finish, where it closes an idle one at once.
     */
    int readingConnections() {
        int n = 0;
        for (Connection c : connections) {
            if (phase(c.state.get()) == READING) {
                n++;
            }
        }
        return n;
    }

    /**
     * Connections accepted since start.
     *
     * @return the number accepted
     */
    public long acceptedConnections() {
        return accepted.get();
    }

    /**
     * The server's own threads besides one per connection: the accept thread,
     * and the sweeper when a timeout is set. Both end in {@link #close()}.
     *
     * @return 1 or 2
     */
    public int serverThreads() {
        return tickNanos > 0 ? 2 : 1;
    }

    /**
     * True once {@link #close()} has begun.
     *
     * @return whether the server is closing
     */
    public boolean isClosing() {
        return closing;
    }

    private void acceptLoop() {
        try {
            while (!closing) {
                Socket s;
                try {
                    s = listener.accept();
                } catch (IOException e) {
                    if (closing || listener.isClosed()) {
                        return;
                    }
                    // EMFILE and the like: the listener is still good, the next accept may succeed.
                    Thread.sleep(10);
                    continue;
                }
                Connection c = new Connection(s, accepted.incrementAndGet());
                connections.add(c);
                if (closing) {
                    end(c);
                    return;
                }
                try {
                    threads.start(name + "-conn-" + c.id, () -> run(c));
                } catch (RuntimeException e) {
                    // The thread system is shutting down (runtime closed, pool shut down).
                    end(c);
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            acceptEnded = true;
            signalEnded();
        }
    }

    /** The sweeper (see "Timeouts" in the class comment): one pass per tick until close. */
    private void sweepLoop() {
        sweeper = Thread.currentThread();
        try {
            while (!closing) {
                // Unparked early by close(); a spurious return only sweeps early.
                LockSupport.parkNanos(this, tickNanos);
                // Interrupted: the thread system is stopping (its runtime closing, the pool
                // shut down now), and parkNanos would return at once from here on.
                if (closing || Thread.currentThread().isInterrupted()) {
                    return;
                }
                long now = System.nanoTime();
                for (Connection c : connections) {
                    sweep(c, now);
                }
            }
        } finally {
            sweepEnded = true;
            signalEnded();
        }
    }

    /** Sweeper only: steps 1 and 2 of "Timeouts" for one connection. */
    private void sweep(Connection c, long now) {
        long w = c.state.get();
        if (w != c.seenState) {
            c.seenState = w;
            c.seenAt = now;
            return;
        }
        int phase = phase(w);
        long timeout = phase == IDLE ? idleTimeoutNanos : phase == READING ? requestTimeoutNanos : 0;
        if (timeout <= 0 || now - c.seenAt < timeout) {
            return;
        }
        if (phase == IDLE) {
            if (c.state.compareAndSet(w, CLOSED)) {
                closeQuietly(c.socket);
            }
        } else if (c.state.compareAndSet(w, (w & ~PHASE_MASK) | TIMED_OUT)) {
            try {
                // The JDK unparks a virtual thread blocked in read; the read returns -1.
                c.socket.shutdownInput();
            } catch (IOException alreadyClosed) {
                // The connection ended meanwhile: nothing left to cut short.
            }
        }
    }

    private static int phase(long word) {
        return (int) (word & PHASE_MASK);
    }

    private void run(Connection c) {
        try {
            c.socket.setTcpNoDelay(true);
            serve(c);
        } catch (IOException | RuntimeException e) {
            // A client that disconnects, times out or sends garbage ends its own connection only.
        } finally {
            end(c);
        }
    }

    private void end(Connection c) {
        c.state.set(CLOSED);
        closeQuietly(c.socket);
        connections.remove(c);
        signalEnded();
    }

    private void signalEnded() {
        if (closing) {
            synchronized (endLock) {
                endLock.notifyAll();
            }
        }
    }

    /** Graceful shutdown, in the steps of the class comment. Idempotent; any thread. */
    @Override
    public void close() {
        closing = true;
        closeQuietly(listener);
        Thread s = sweeper;
        if (s != null) {
            LockSupport.unpark(s);
        }
        for (Connection c : connections) {
            if (c.requestClose()) {
                closeQuietly(c.socket);
            }
        }
        if (!awaitEnd(shutdownGrace.toMillis())) {
            for (Connection c : connections) {
                c.state.set(CLOSED);
                closeQuietly(c.socket);
            }
            if (!awaitEnd(Math.max(1_000, shutdownGrace.toMillis()))) {
                System.getLogger("io.verdant.examples").log(System.Logger.Level.WARNING,
                        name + ": " + connections.size() + " connection thread(s) did not end after close");
            }
        }
    }

    private boolean awaitEnd(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (endLock) {
            while (!(acceptEnded && sweepEnded && connections.isEmpty())) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return false;
                }
                try {
                    endLock.wait(Math.min(left, 50));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // Closing a socket the peer already reset: nothing left to do.
        }
    }

    /**
     * One accepted connection: its socket, a sequence number, and its state word
     * (see the class comment). The methods that move the state are for the
     * connection's own thread only.
     */
    public static final class Connection {
        final Socket socket;
        final long id;
        /** (sequence << 3) | phase; CAS only (see the class comment for who moves it where). */
        final AtomicLong state = new AtomicLong(IDLE);
        /** Sweeper only (set by the accept thread before publication): the word last seen. */
        long seenState = IDLE;
        /** Sweeper only (likewise): System.nanoTime() when seenState was first seen. */
        long seenAt = System.nanoTime();

        Connection(Socket socket, long id) {
            this.socket = socket;
            this.id = id;
        }

        /**
         * The connection's socket.
         *
         * @return the socket
         */
        public Socket socket() {
            return socket;
        }

        /**
         * 1 for the first connection the server accepted, then 2, 3, ...
         *
         * @return the connection's sequence number
         */
        public long id() {
            return id;
        }

        /**
         * Connection thread only: an untimed unit of work begins (IDLE to BUSY).
         *
         * @return false if the server closed this connection (shutdown or idle timeout): end now
         */
        public boolean beginWork() {
            long w = state.get();
            return phase(w) == IDLE && state.compareAndSet(w, w + (BUSY - IDLE));
        }

        /**
         * Connection thread only: a request has begun to arrive (IDLE to READING);
         * the request timeout runs until {@link #requestReceived()}.
         *
         * @return false if the server closed this connection (shutdown or idle timeout): end now
         */
        public boolean beginRequest() {
            long w = state.get();
            return phase(w) == IDLE && state.compareAndSet(w, w + (READING - IDLE));
        }

        /**
         * Connection thread only: the request is complete (READING to BUSY); the
         * request timeout stops.
         *
         * @return false if the request timeout fired first (answer that and end); true
         *         otherwise, also when the server is closing ({@link #closeRequested()})
         */
        public boolean requestReceived() {
            long w = state.get();
            if (phase(w) == READING && state.compareAndSet(w, w + (BUSY - READING))) {
                return true;
            }
            return phase(state.get()) == CLOSING;
        }

        /**
         * Connection thread only: the unit of work is done (READING or BUSY to IDLE);
         * the idle timeout starts.
         *
         * @return false if the server is closing or timed the request out: end now
         */
        public boolean endWork() {
            long w = state.get();
            int p = phase(w);
            return (p == BUSY || p == READING) && state.compareAndSet(w, (w & ~PHASE_MASK) + SEQUENCE_ONE);
        }

        /**
         * True if the server has asked this connection to end after its current unit
         * of work (shutdown), or timed its request out.
         *
         * @return whether to end after the current unit of work
         */
        public boolean closeRequested() {
            return phase(state.get()) >= CLOSING;
        }

        /**
         * True if the request timeout fired while this connection was reading a
         * request: its input is shut down (reads return end of stream).
         *
         * @return whether the request timed out
         */
        public boolean timedOut() {
            return phase(state.get()) == TIMED_OUT;
        }

        /** close(): IDLE to CLOSED (true: the caller closes the socket), or READING/BUSY to CLOSING (false). */
        boolean requestClose() {
            for (;;) {
                long w = state.get();
                int p = phase(w);
                if (p == IDLE) {
                    if (state.compareAndSet(w, CLOSED)) {
                        return true;
                    }
                } else if (p == READING || p == BUSY) {
                    if (state.compareAndSet(w, (w & ~PHASE_MASK) | CLOSING)) {
                        return false;
                    }
                } else {
                    return false;
                }
            }
        }
    }
}
