package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Plain Java inside green threads: thread locals, monitors, sleep, nested virtual threads, sockets. */
@Timeout(60)
class JdkInteropTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("interop").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void threadLocalsArePerGreenThread() {
        ThreadLocal<Integer> local = new ThreadLocal<>();
        List<Integer> seen = rt.run(() -> {
            List<GreenHandle<Integer>> hs = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int me = i;
                hs.add(Green.spawn(() -> {
                    local.set(me);
                    Green.yield();
                    Thread.sleep(1);
                    return local.get();
                }));
            }
            List<Integer> out = new ArrayList<>();
            for (GreenHandle<Integer> h : hs) {
                out.add(h.join());
            }
            return out;
        });
        assertThat(seen).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 50).boxed().toList());
    }

    @Test
    void synchronizedWaitNotifyAndContentionWork() {
        Object lock = new Object();
        int[] counter = new int[1];
        rt.run(() -> {
            List<GreenHandle<Void>> hs = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                hs.add(Green.spawn(() -> {
                    for (int k = 0; k < 1000; k++) {
                        synchronized (lock) {
                            counter[0]++;
                            if (k % 100 == 0) {
                                Thread.sleep(0, 1000); // block while holding a monitor: no pinning on JDK 24+
                            }
                        }
                    }
                    return null;
                }));
            }
            hs.forEach(GreenHandle::join);
            // wait/notify between two green threads
            boolean[] ready = new boolean[1];
            GreenHandle<Boolean> waiter = Green.spawn(() -> {
                synchronized (lock) {
                    while (!ready[0]) {
                        lock.wait();
                    }
                    return true;
                }
            });
            Green.spawn(() -> {
                synchronized (lock) {
                    ready[0] = true;
                    lock.notifyAll();
                }
            }).join();
            assertThat(waiter.join()).isTrue();
        });
        assertThat(counter[0]).isEqualTo(100_000);
    }

    @Test
    void anInterruptEndsOnlyTheWaitItReachesAndIsNoCancel() throws Exception {
        // docs/channels.md, "Cancellation": no token marked, no descendant cancelled, and
        // once the status is cleared the next wait works.
        java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Thread> me = new java.util.concurrent.atomic.AtomicReference<>();
        GreenHandle<String> h = rt.spawn(() -> {
            me.set(Thread.currentThread());
            GreenHandle<String> child = Green.spawn(() -> {
                waiting.await();
                Green.sleep(java.time.Duration.ofMillis(20));
                return "child ran on";
            });
            String first;
            try {
                Green.sleep(java.time.Duration.ofSeconds(30));
                first = "slept";
            } catch (CancelledException e) {
                first = "CancelledException, interrupted=" + Thread.interrupted();
            }
            Green.sleep(java.time.Duration.ofMillis(1));
            return first + ", cancelled=" + Green.cancelled() + ", " + child.join();
        });
        ParkUnparkTest.waitUntilWaiting(h);
        me.get().interrupt();
        waiting.countDown();
        assertThat(h.join(java.time.Duration.ofSeconds(20)))
                .isEqualTo("CancelledException, interrupted=true, cancelled=false, child ran on");
    }

    @Test
    void threadSleepParksTheGreenThreadNotTheCarrier() {
        // One worker: if Thread.sleep blocked the carrier, the 100 sleeps would take 100 x 50 ms.
        try (Verdant one = Verdant.start(Config.builder().workers(1).name("interop-sleep").build())) {
            long ms = one.run(() -> {
                long start = System.nanoTime();
                List<GreenHandle<Void>> hs = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    hs.add(Green.spawn(() -> {
                        Thread.sleep(50);
                        return null;
                    }));
                }
                hs.forEach(GreenHandle::join);
                return (System.nanoTime() - start) / 1_000_000;
            });
            assertThat(ms).isGreaterThanOrEqualTo(50).isLessThan(2_500);
        }
    }

    @Test
    void nestedVirtualThreadsRunOnOurCarriersWithoutBeingMistakenForTheirCreator() throws Exception {
        List<String> result = rt.run(() -> {
            Pid creator = Green.self();
            List<String> out = new ArrayList<>();
            // Thread.ofVirtual() inside a green thread inherits our scheduler.
            String[] inner = new String[3];
            Thread t = Thread.ofVirtual().start(() -> {
                inner[0] = String.valueOf(Green.isGreen());
                Thread.yield();
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
                inner[1] = Thread.currentThread().toString();
                inner[2] = "done";
            });
            t.join();
            out.add(inner[0]);
            out.add(inner[1]);
            out.add(inner[2]);
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Integer>> fs = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    int n = i;
                    fs.add(ex.submit(() -> {
                        Thread.yield();
                        return n;
                    }));
                }
                int sum = 0;
                for (Future<Integer> f : fs) {
                    sum += f.get();
                }
                out.add(String.valueOf(sum));
            }
            out.add(String.valueOf(Green.self().equals(creator)));
            out.add(String.valueOf(Green.isGreen()));
            return out;
        });
        assertThat(result.get(0)).as("a nested virtual thread is not a green thread").isEqualTo("false");
        assertThat(result.get(1)).as("but it runs on our carriers").contains("interop-carrier-");
        assertThat(result.get(2)).isEqualTo("done");
        assertThat(result.get(3)).isEqualTo(String.valueOf(199 * 200 / 2));
        assertThat(result.get(4)).isEqualTo("true");
        assertThat(result.get(5)).isEqualTo("true");
        assertThat(rt.liveThreads()).isZero();
    }

    @Test
    void theFirstSocketReadFromAGreenThreadLeavesNoJdkPollerOnOurCarriers() throws Exception {
        long foreignBefore = rt.core().scheduler.foreignSubmissions();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            GreenHandle<Integer> reader = rt.spawn(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                    InputStream in = s.getInputStream();
                    return in.read(); // parks until the server writes
                }
            });
            try (Socket accepted = server.accept()) {
                ParkUnparkTest.waitUntilWaiting(reader);
                OutputStream out = accepted.getOutputStream();
                out.write(42);
                out.flush();
                assertThat(reader.join()).isEqualTo(42);
            }
        }
        // Every task our carriers ran since was a green thread of ours: no JDK
        // sub-poller (a foreign virtual thread) was ever submitted to this runtime.
        assertThat(rt.core().scheduler.foreignSubmissions()).isEqualTo(foreignBefore);
        AtomicInteger subPollers = new AtomicInteger();
        Thread.getAllStackTraces().keySet().forEach(t -> {
            if (t.getName().contains("Poller") && t.toString().contains("interop-carrier")) {
                subPollers.incrementAndGet();
            }
        });
        assertThat(subPollers.get()).isZero();
    }
}
