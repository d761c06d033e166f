package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Inputs a deterministic runtime does not control are refused with a message
 * naming their source and the fix: a real socket (the JDK poller), a future
 * completed by the common pool. (JDK timed waits, contended monitors and
 * platform-thread wake-ups: {@link DeterministicModeTest}.)
 */
@Timeout(120)
class StrictRefusalTest {
    private static final Config QUIET = DetRuns.QUIET;

    /** Waits (real time, bounded) until {@code t} is parked. */
    private static void awaitParked(AtomicReference<Thread> t) {
        long end = System.nanoTime() + 30_000_000_000L;
        Thread r;
        while ((r = t.get()) == null || r.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > end) {
                throw new AssertionError("the green thread never parked");
            }
            Thread.onSpinWait();
        }
    }

    /** A green thread's read of a loopback socket; the peer (a platform thread) answers once it waits. */
    private static String readFromSocket(ServerSocket server, AtomicReference<Thread> reader,
                                         AtomicReference<Socket> socket) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
            socket.set(s);
            reader.set(Thread.currentThread());
            InputStream in = s.getInputStream();
            return "read " + in.read();
        }
    }

    private static Thread peer(ServerSocket server, AtomicReference<Thread> reader, boolean answer,
                               CountDownLatch hangUp) {
        return Thread.ofPlatform().name("socket-peer").start(() -> {
            try (Socket c = server.accept()) {
                if (!answer) {
                    hangUp.await(); // then closes the connection: the reader sees the end of the stream
                    return;
                }
                awaitParked(reader);
                OutputStream out = c.getOutputStream();
                out.write(7);
                out.flush();
                c.getInputStream().read(); // until the reader closes
            } catch (Exception ignored) {
                // the refused run closes the socket
            }
        });
    }

    @Test
    void aRealSocketReadIsRefusedNamingThePollerAndTheFix() throws Exception {
        AtomicReference<Thread> reader = new AtomicReference<>();
        AtomicReference<Socket> socket = new AtomicReference<>();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CountDownLatch hangUp = new CountDownLatch(1);
            Thread peer = peer(server, reader, false, hangUp);
            try (Verdant rt = Verdant.deterministic(QUIET, Determinism.seed(21))) {
                try {
                    Throwable refused = catchThrowable(() -> rt.run(() -> readFromSocket(server, reader, socket)));
                    assertThat(refused).isInstanceOf(ScheduleFailedException.class)
                        .hasMessageStartingWith("[replay v1:random:0x15]")
                        .hasMessageContaining("real socket operation (")
                        .hasMessageContaining("JDK poller")
                        .hasMessageContaining("in-memory channels")
                        .hasMessageContaining("Determinism.lenient()");
                    // The carrier names the call from the parked thread's stack; if the poller woke
                    // the thread first (a loopback connect completes within microseconds: seen on a
                    // loaded machine), the refusal comes from the poller's wake-up and says so.
                    assertThat(refused.getMessage()).satisfiesAnyOf(
                        m -> assertThat(m).contains("(sun.nio.ch.").contains("StrictRefusalTest.readFromSocket"),
                        m -> assertThat(m).contains("not named: the JDK poller woke it before its carrier looked")
                                .contains("sun.nio.ch.Poller"));
                } finally {
                    hangUp.countDown(); // ends the refused connect or read, so close() finds no thread left
                    peer.join(30_000);
                }
            } finally {
                peer.join(30_000);
            }
        }
    }

    @Test
    void underTheLenientPolicyTheSocketReadIsAdmittedAndTheRunMarkedNotReplayable() throws Exception {
        AtomicReference<Thread> reader = new AtomicReference<>();
        AtomicReference<Socket> socket = new AtomicReference<>();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread peer = peer(server, reader, true, new CountDownLatch(0));
            try (Verdant rt = Verdant.deterministic(QUIET, Determinism.seed(21).lenient())) {
                assertThat(rt.run(() -> readFromSocket(server, reader, socket))).isEqualTo("read 7");
                assertThat(rt.trace().replayable()).isFalse();
                assertThat(rt.trace().toString()).contains("possibly not replayable");
            } finally {
                peer.join(30_000);
            }
        }
    }

    @Test
    void aFutureCompletedByTheCommonPoolIsRefusedNamingTheCommonPoolWorker() {
        AtomicReference<Thread> root = new AtomicReference<>();
        try (Verdant rt = Verdant.deterministic(QUIET, Determinism.seed(22))) {
            assertThatThrownBy(() -> rt.run(() -> {
                root.set(Thread.currentThread());
                CompletableFuture<Integer> f = CompletableFuture.supplyAsync(() -> {
                    awaitParked(root); // completes once the green thread waits in join
                    return 42;
                });
                // Keeps the runtime busy (so it is no deadlock) until the pool has completed f.
                Green.spawn(() -> {
                    while (!f.isDone()) {
                        Green.yield();
                    }
                });
                return f.join();
            })).isInstanceOf(ScheduleFailedException.class)
                    .hasMessageContaining("ForkJoinPool.commonPool-worker-")
                    .hasMessageContaining("outside the deterministic runtime")
                    .hasMessageContaining("Determinism.lenient()");
        }
    }

    @Test
    void waitingAloneForTheCommonPoolIsADeadlockWhoseReportNamesTheCause() {
        CompletableFuture<Integer> never = new CompletableFuture<>();
        try (Verdant rt = Verdant.deterministic(QUIET, Determinism.seed(23))) {
            try {
                assertThatThrownBy(() -> rt.run(never::join))
                        .isInstanceOf(DeadlockException.class)
                        .hasMessageContaining("CompletableFuture")
                        .hasMessageContaining("a thread outside the runtime, such as the common pool");
            } finally {
                never.complete(0); // ends the waiting thread, so close() finds no thread left
            }
        }
    }
}
