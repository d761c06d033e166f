package io.verdant;

import io.verdant.internal.GreenThread;
import io.verdant.internal.sched.Scheduler;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/**
 * Run by {@link JdkPollersTest} in a fresh JVM: the JDK's sub-pollers run on the
 * carriers of a live runtime (internal PollerHost), go back to the JDK's default
 * scheduler when it closes, and come to the next runtime that starts. Each step
 * makes socket round trips whose reads park and are woken through the poller.
 * Prints {@code hosted <sub-poller runs on runtime 1> <... on runtime 2> ok}.
 */
public final class PollerHostProbe {
    private static final int ROUND_TRIPS = 50;

    private PollerHostProbe() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket listener = new ServerSocket(0, 50, loopback)) {
            Thread echo = Thread.ofPlatform().daemon().start(() -> echoAll(listener));
            long first;
            try (Verdant rt = Verdant.start(Config.builder().workers(2).name("host-1").build())) {
                Scheduler s = rt.run(() -> GreenThread.current().runtime().scheduler);
                long runs0 = s.pollerRuns();
                roundTrips(rt.spawn(() -> client(listener)));
                first = s.pollerRuns() - runs0;
            }
            // No runtime alive: a default virtual thread's reads still wake (fallback).
            java.util.concurrent.FutureTask<Integer> vt = new java.util.concurrent.FutureTask<>(() -> client(listener));
            Thread.ofVirtual().start(vt);
            if (vt.get(30, java.util.concurrent.TimeUnit.SECONDS) != ROUND_TRIPS) {
                throw new AssertionError("default virtual thread");
            }
            long second;
            try (Verdant rt = Verdant.start(Config.builder().workers(1).name("host-2").build())) {
                Scheduler s = rt.run(() -> GreenThread.current().runtime().scheduler);
                long runs0 = s.pollerRuns();
                roundTrips(rt.spawn(() -> client(listener)));
                second = s.pollerRuns() - runs0;
            }
            echo.interrupt();
            System.out.println("hosted " + first + " " + second + " ok");
        }
    }

    private static void roundTrips(GreenHandle<Integer> h) throws Exception {
        if (h.join(Duration.ofSeconds(30)) != ROUND_TRIPS) {
            throw new AssertionError("round trips");
        }
    }

    /** ROUND_TRIPS one-byte round trips over a new connection; each read waits for the echo. */
    private static int client(ServerSocket listener) throws Exception {
        try (Socket s = new Socket(listener.getInetAddress(), listener.getLocalPort())) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            int n = 0;
            for (int i = 0; i < ROUND_TRIPS; i++) {
                out.write(i & 0x7f);
                if (in.read() != (i & 0x7f)) {
                    throw new AssertionError("echo");
                }
                n++;
            }
            return n;
        }
    }

    /** Platform threads: echo every connection until the listener closes. Shared with PollerInitInterruptProbe. */
    static void echoAll(ServerSocket listener) {
        try {
            while (true) {
                Socket c = listener.accept();
                Thread.ofPlatform().daemon().start(() -> {
                    try (c) {
                        c.getInputStream().transferTo(c.getOutputStream());
                    } catch (Exception ignored) {
                        // the client closed
                    }
                });
            }
        } catch (Exception ignored) {
            // listener closed
        }
    }
}
