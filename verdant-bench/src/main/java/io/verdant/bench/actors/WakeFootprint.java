package io.verdant.bench.actors;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.GreenState;
import io.verdant.Pid;
import io.verdant.Verdant;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.function.Supplier;

/**
 * What a parked {@code wake} receiver holds (issue 11): a program that parks N
 * receivers the way {@link WakeComparison} does (Verdant: green threads in
 * {@link Green#receive()}, keeping the handles and pids; vt-ltq / vt-abq:
 * virtual threads in {@code take()} on a {@link LinkedTransferQueue} or an
 * {@link ArrayBlockingQueue} of one, keeping the threads and queues), prints
 * {@code PARKED <pid>} and waits for a line on stdin, so a heap histogram
 * ({@code jcmd <pid> GC.class_histogram}) can be taken of the parked state;
 * then it sends each receiver one message and waits for all of them. Before
 * that round it warms up as {@link WakeComparison} does (10 rounds of n / 100),
 * and waits until the JIT is quiet, so the parked frames are compiled ones, as
 * in the benchmark's measured rounds.
 * Usage: {@code WakeFootprint verdant|vt-ltq|vt-abq [n]}. Not a benchmark: its
 * output is counts (instances and bytes per class), which do not depend on load.
 */
public final class WakeFootprint {
    private WakeFootprint() {
    }

    public static void main(String[] args) throws Exception {
        String system = args[0];
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        switch (system) {
            case "verdant" -> {
                try (Verdant rt = Verdant.start(Config.builder().name("wake-footprint").build())) {
                    for (int i = 0; i < WakeComparison.WARM_ROUNDS; i++) {
                        verdant(rt, Math.max(10, n / 100), null);
                    }
                    jitQuiet();
                    verdant(rt, n, in);
                }
            }
            case "vt-ltq", "vt-abq" -> {
                Supplier<BlockingQueue<Object>> q = system.equals("vt-ltq") ? LinkedTransferQueue::new
                        : () -> new ArrayBlockingQueue<>(1);
                for (int i = 0; i < WakeComparison.WARM_ROUNDS; i++) {
                    vt(Math.max(10, n / 100), null, q);
                }
                jitQuiet();
                vt(n, in, q);
            }
            default -> throw new IllegalArgumentException(system);
        }
        System.out.println("DONE");
    }

    private static void parked(BufferedReader in) {
        if (in == null) {
            return; // a warm-up round
        }
        System.out.println("PARKED " + ProcessHandle.current().pid());
        System.out.flush();
        try {
            in.readLine();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until the JIT has compiled nothing for 2 s, after warm-up: on a busy
     * machine C2 may still be compiling the receive path when the million
     * receivers start, and a receiver that parked in interpreted or C1 code
     * keeps that bigger frame (the histogram's StackChunk bytes then vary with
     * the load, not with the code).
     */
    private static void jitQuiet() {
        var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        try {
            long last = -1;
            for (long t; (t = jit.getTotalCompilationTime()) != last; ) {
                last = t;
                Thread.sleep(2_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void verdant(Verdant rt, int n, BufferedReader in) {
        rt.run(() -> {
            WakeComparison.Countdown cd = new WakeComparison.Countdown(n);
            Pid[] pids = new Pid[n];
            @SuppressWarnings("unchecked")
            GreenHandle<Void>[] hs = (GreenHandle<Void>[]) new GreenHandle<?>[n];
            for (int i = 0; i < n; i++) {
                hs[i] = Green.spawn(() -> cd.woken(Green.receive()));
                pids[i] = hs[i].pid();
            }
            for (GreenHandle<Void> h : hs) {
                while (h.state() != GreenState.WAITING) {
                    Green.sleep(Duration.ofMillis(1));
                }
            }
            parked(in);
            long t0 = System.nanoTime();
            for (Pid p : pids) {
                Green.send(p, WakeComparison.MSG);
            }
            double woken = cd.awaitAll(t0);
            if (in != null) {
                System.out.println("woken ms " + woken);
            }
            for (GreenHandle<Void> h : hs) {
                h.join();
            }
            return null;
        });
    }

    private static void vt(int n, BufferedReader in, Supplier<BlockingQueue<Object>> queue) throws Exception {
        Thread sender = Thread.ofVirtual().start(() -> {
            try {
                WakeComparison.Countdown cd = new WakeComparison.Countdown(n);
                @SuppressWarnings("unchecked")
                BlockingQueue<Object>[] boxes = (BlockingQueue<Object>[]) new BlockingQueue<?>[n];
                Thread[] ts = WakeComparison.parkedVtReceivers(boxes, queue, cd);
                parked(in);
                long t0 = System.nanoTime();
                for (BlockingQueue<Object> box : boxes) {
                    box.put(WakeComparison.MSG);
                }
                double woken = cd.awaitAll(t0);
                if (in != null) {
                    System.out.println("woken ms " + woken);
                }
                for (Thread t : ts) {
                    t.join();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        sender.join();
    }
}
