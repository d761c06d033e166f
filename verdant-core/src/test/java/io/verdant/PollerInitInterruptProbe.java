package io.verdant;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link JdkPollersTest} in a fresh JVM with the JDK's default scheduler
 * at one carrier ({@code -Djdk.virtualThreadScheduler.parallelism=1}): the first
 * runtime is started by a thread whose interrupt status is set, while a default
 * virtual thread holds that carrier, so the virtual thread that initialises the
 * JDK's poller (internal JdkPollers) cannot run yet. The hog lets go once the
 * starter waits for that initialisation, or once a green thread has made the
 * JVM's first poller-backed read. Then the runtime closes, and a default virtual
 * thread makes a socket round trip: it completes only if the JDK's sub-pollers
 * did not end up on the closed runtime. Prints
 * {@code interrupt-kept <bool> pollers-ok <bool>}.
 */
public final class PollerInitInterruptProbe {
    private static volatile boolean release;

    private PollerInitInterruptProbe() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Thread main = Thread.currentThread();
        CountDownLatch hogging = new CountDownLatch(1);
        Thread hog = Thread.ofVirtual().start(() -> {
            hogging.countDown();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!release && System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        });
        hogging.await();
        // Lets the hog go once main waits inside JdkPollers (a start that waits for the
        // poller's initialisation, as it should).
        Thread watcher = Thread.ofPlatform().daemon().start(() -> {
            while (!release) {
                for (StackTraceElement e : main.getStackTrace()) {
                    if (e.getClassName().equals("io.verdant.internal.JdkPollers")
                            && main.getState() == Thread.State.WAITING) {
                        release = true;
                    }
                }
                Thread.onSpinWait();
            }
        });
        try (ServerSocket listener = new ServerSocket(0, 50, loopback)) {
            Thread echo = Thread.ofPlatform().daemon().start(() -> PollerHostProbe.echoAll(listener));
            main.interrupt();
            boolean interruptKept;
            try (Verdant rt = Verdant.start(Config.builder().workers(1).name("interrupted-start").build())) {
                interruptKept = Thread.interrupted();
                // The JVM's first poller-backed read, in a green thread.
                rt.spawn(() -> roundTrip(listener)).join(Duration.ofSeconds(20));
                release = true;
            }
            hog.join();
            watcher.join();
            // No runtime alive: a default virtual thread's read must still be woken.
            FutureTask<Integer> vt = new FutureTask<>(() -> roundTrip(listener));
            Thread.ofVirtual().start(vt);
            boolean ok;
            try {
                ok = vt.get(5, TimeUnit.SECONDS) == 1;
            } catch (java.util.concurrent.TimeoutException e) {
                ok = false;
            }
            echo.interrupt();
            System.out.println("interrupt-kept " + interruptKept + " pollers-ok " + ok);
        }
        System.exit(0); // a virtual thread stuck in read (the defect) must not keep the probe alive
    }

    /** One one-byte round trip over a new connection; the read waits for the echo. */
    private static int roundTrip(ServerSocket listener) throws Exception {
        try (Socket s = new Socket(listener.getInetAddress(), listener.getLocalPort())) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(5);
            if (in.read() != 5) {
                throw new AssertionError("echo");
            }
            return 1;
        }
    }

}
