package io.verdant.examples.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP server written in plain blocking style: one thread accepts, and every
 * accepted connection gets its own thread (a green thread when the
 * {@link ThreadStarter} is {@link ThreadStarter#green}). Subclasses implement
 * {@link #serve(Connection)}.
 *
 * <pre>
 * Threads and who touches what
 *   accept thread   runs acceptLoop: registers each connection in
 *                   {@code connections}, then starts its thread.
 *   connection      runs serve(), then closes its socket and deregisters
 *   threads         (finally block: a failing or disconnected client always
 *                   ends its thread and frees its entry).
 *   closer          any thread calling close().
 *   Connection.state is a small state machine, CAS only:
 *       IDLE   -> BUSY     the connection thread starts a unit of work
 *                          (a request has begun to arrive)
 *       BUSY   -> IDLE     the unit of work is done
 *       IDLE   -> CLOSED   close() found it idle: closes its socket, which
 *                          wakes the blocked read with a SocketException
 *       BUSY   -> CLOSING  close() found it busy: the thread finishes the
 *                          current unit, tells the peer it is the last
 *                          (HTTP: "Connection: close"), then ends
 *
 * Shutdown (close)
 *   1. closing = true; the listening socket is closed, so accept() throws and
 *      the accept thread ends (no new connection can register after step 1:
 *      acceptLoop re-checks closing after registering and closes the socket).
 *   2. every idle connection is closed; busy ones are marked CLOSING.
 *   3. wait up to the grace period for all connection threads to end.
 *   4. force-close every socket still open (a busy connection stuck on a slow
 *      peer), and wait for their threads, which now fail fast, to end.
 *   Nothing leaks: each connection thread deregisters itself in a finally
 *   block, and close() only returns when the registry is empty or the final
 *   wait of step 4 timed out (then it reports how many are left).
 * </pre>
 */
public abstract class SocketServer implements AutoCloseable {
    static final int IDLE = 0;
    static final int BUSY = 1;
    static final int CLOSING = 2;
    static final int CLOSED = 3;

    private final String name;
    private final ThreadStarter threads;
    private final ServerSocket listener;
    private final Duration shutdownGrace;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final Object endLock = new Object();
    private volatile boolean closing;
    private volatile boolean acceptEnded;

    /**
     * Binds {@code address} (backlog {@code backlog}). The subclass's constructor
     * calls {@link #startAccepting()} last, once its own fields are set (starting
     * the accept loop here would let {@link #serve} run on a half-built subclass).
     *
     * @throws IOException if the address cannot be bound
     */
    protected SocketServer(String name, ThreadStarter threads, InetSocketAddress address, int backlog,
            Duration shutdownGrace) throws IOException {
        this.name = Objects.requireNonNull(name, "name");
        this.threads = Objects.requireNonNull(threads, "threads");
        this.shutdownGrace = Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(address, "address");
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(address, backlog);
    }

    /** Starts the accept loop; called once, at the end of the subclass's constructor. */
    protected final void startAccepting() {
        threads.start(name + "-accept", this::acceptLoop);
    }

    /** Serves one connection until the peer is done; exceptions end the connection only. */
    protected abstract void serve(Connection c) throws IOException;

    /** The bound port. */
    public int port() {
        return listener.getLocalPort();
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** Connections open now (each has its own thread); a snapshot. */
    public int openConnections() {
        return connections.size();
    }

    /** Connections accepted since start. */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** True once {@link #close()} has begun. */
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
        for (Connection c : connections) {
            if (c.state.compareAndSet(IDLE, CLOSED)) {
                closeQuietly(c.socket);
            } else {
                c.state.compareAndSet(BUSY, CLOSING);
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
            while (!(acceptEnded && connections.isEmpty())) {
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

    /** One accepted connection: its socket, a sequence number, and its close state (see the class comment). */
    public static final class Connection {
        final Socket socket;
        final long id;
        final AtomicInteger state = new AtomicInteger(IDLE);

        Connection(Socket socket, long id) {
            this.socket = socket;
            this.id = id;
        }

        public Socket socket() {
            return socket;
        }

        /** 1 for the first connection the server accepted, then 2, 3, ... */
        public long id() {
            return id;
        }

        /** Connection thread only: a unit of work begins. False if the server closed this connection. */
        public boolean beginWork() {
            return state.compareAndSet(IDLE, BUSY);
        }

        /** Connection thread only: the unit of work is done. False if the server is closing: end now. */
        public boolean endWork() {
            return state.compareAndSet(BUSY, IDLE);
        }

        /** True if the server has asked this connection to end after its current unit of work. */
        public boolean closeRequested() {
            return state.get() >= CLOSING;
        }
    }
}
