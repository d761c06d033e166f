package io.verdant.unload;

import io.verdant.Actors;
import io.verdant.Config;
import io.verdant.Determinism;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Pid;
import io.verdant.TraceRecording;
import io.verdant.Verdant;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Runs in a class loader of its own ({@link UnloadProbe}): starts and
 * closes runtimes doing a representative mix of what a deployment does — green
 * threads, a failure that is logged, a dead letter, the registry, Green.blocking,
 * an event actor, a socket round trip, timers and a blocking call pending at close,
 * a green thread abandoned at close, JMX, a trace and
 * the flight recorder, an executor task, a deterministic runtime — so that whatever any of it
 * leaves in a static, a JDK registry or a thread would pin this loader.
 */
public final class UnloadDriver implements Callable<String> {
    @Override
    public String call() throws Exception {
        try (ServerSocket idle = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Verdant rt = Verdant.start(Config.builder().name("unload-rt").shutdownTimeout(Duration.ofMillis(200)).workers(2).jmx(true)
                .flightRecorder(64 * 1024).build())) {
            TraceRecording trace = rt.startTrace();
            int sum = rt.run(() -> {
                GreenHandle<Integer> h = Green.spawn(() -> 20);
                Green.spawn((Runnable) () -> {
                    throw new IllegalStateException("unload-driver failure"); // logged: no handler
                });
                Green.spawn(() -> Green.sleep(Duration.ofHours(1))); // a timer pending at close
                Green.sendAfter(Green.self(), "late", Duration.ofHours(1));
                Green.spawn(() -> {
                    Thread.sleep(Duration.ofHours(1)); // the JDK's timer, pending at close
                    return null;
                });
                Green.spawn(() -> idle.accept()); // registered with a JDK poller at close
                Green.spawn(() -> {
                    for (;;) { // ignores cancellation: abandoned, parked, at close
                        Thread.interrupted();
                        java.util.concurrent.locks.LockSupport.park();
                    }
                });
                Green.spawn(() -> Green.blocking(() -> {
                    Thread.sleep(Duration.ofHours(1)); // a blocking-pool thread busy at close
                    return null;
                }));
                Pid dead = Green.spawn(() -> 1).pid();
                Green.sleep(Duration.ofMillis(5));
                Green.send(dead, new Object()); // a dead letter (logged)
                Green.runtime().registry().register("unload-self", Green.self());
                int b = Green.blocking(() -> 1);
                GreenHandle<Integer> actor = Actors.spawn(0, (Integer n, Object msg) -> {
                    if ("stop".equals(msg)) {
                        Actors.stop();
                    }
                    return n + 1;
                });
                Green.send(actor.pid(), "tick");
                Green.send(actor.pid(), "stop");
                return h.join() + b + actor.join() + echo();
            });
            trace.close();
            rt.flightRecording().close();
            rt.executor().submit(() -> 1).get();
            if (sum != 20 + 1 + 2 + 42) {
                return "wrong sum " + sum;
            }
        }
        try (Verdant det = Verdant.deterministic(Config.builder().name("unload-det").build(), Determinism.seed(7))) {
            det.run(() -> {
                Green.spawn(() -> Green.sleep(Duration.ofHours(1)));
                Green.yield();
                return null;
            });
        }
        return "ok";
    }

    /** A socket round trip from green threads: initialises the JDK's pollers. */
    private static int echo() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            GreenHandle<Void> peer = Green.spawn(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                    out.write(in.read());
                }
                return null;
            });
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                c.getOutputStream().write(42);
                int r = c.getInputStream().read();
                peer.join();
                return r;
            }
        }
    }
}
