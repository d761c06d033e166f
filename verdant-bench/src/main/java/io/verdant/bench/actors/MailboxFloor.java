package io.verdant.bench.actors;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Pid;
import io.verdant.Verdant;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * One mailbox message against its floor (issue 11), alternating in one JVM so a
 * shared, loaded machine shifts all three alike: per round, on a one-worker
 * runtime, {@code mailbox} (a ping-pong of {@code Green.send}/{@code Green.receive}
 * between two green threads), {@code park} (the same two green threads handing a
 * turn over with a field and {@code LockSupport.park/unpark}: Verdant's
 * cheapest wake-up) and {@code continuation} (one raw {@code Continuation} run
 * to its next yield: a thaw plus a freeze, no scheduler). Prints the median over
 * the rounds of wall and process-CPU nanoseconds per message (per resume for
 * {@code continuation}); the CPU figure leaves out time the OS gave to other
 * processes. The same class run against an older Verdant on the class path in
 * front gives a before/after comparison (it uses public API only).
 *
 * <p>Run: {@code java --add-exports java.base/jdk.internal.vm=ALL-UNNAMED
 * --add-opens java.base/java.lang=ALL-UNNAMED -cp benchmarks.jar
 * io.verdant.bench.actors.MailboxFloor [rounds] [messages]}
 */
public final class MailboxFloor {
    private MailboxFloor() {
    }

    private static final Object PING = "ping";

    /**
     * Runs the comparison.
     *
     * @param args rounds (default 15) and messages per round (default 400,000)
     * @throws Throwable if a run fails
     */
    public static void main(String[] args) throws Throwable {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 400_000;
        int trips = messages / 2;
        String[] names = {"mailbox", "park", "continuation"};
        double[][] wall = new double[3][rounds];
        double[][] cpu = new double[3][rounds];
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("mailbox-floor").build())) {
            for (int r = -3; r < rounds; r++) { // 3 warm-up rounds
                for (int k = 0; k < 3; k++) {
                    long c0 = cpuNanos();
                    long t0 = System.nanoTime();
                    switch (k) {
                        case 0 -> mailbox(rt, trips);
                        case 1 -> park(rt, trips);
                        default -> continuation(messages);
                    }
                    long t = System.nanoTime() - t0;
                    long c = cpuNanos() - c0;
                    if (r >= 0) {
                        wall[k][r] = (double) t / messages;
                        cpu[k][r] = (double) c / messages;
                    }
                }
            }
        }
        for (int k = 0; k < 3; k++) {
            System.out.printf(java.util.Locale.ROOT, "%-13s wall %7.1f ns/msg   cpu %7.1f ns/msg   (median of %d)%n",
                    names[k], median(wall[k]), median(cpu[k]), rounds);
        }
    }

    private static void mailbox(Verdant rt, int trips) {
        rt.run(() -> {
            Pid me = Green.self();
            GreenHandle<Void> echo = Green.spawn(() -> {
                for (int i = 0; i < trips; i++) {
                    Green.send(me, Green.receive());
                }
            });
            Pid peer = echo.pid();
            for (int i = 0; i < trips; i++) {
                Green.send(peer, PING);
                Green.receive();
            }
            echo.join();
            return null;
        });
    }

    /** The turn handed over: 0 the main side's, 1 the echo's. */
    private static final class Turn {
        volatile int turn;
    }

    private static void park(Verdant rt, int trips) {
        rt.run(() -> {
            Turn t = new Turn();
            Thread main = Thread.currentThread();
            Pid me = Green.self();
            GreenHandle<Void> echo = Green.spawn(() -> {
                Green.send(me, Thread.currentThread());
                for (int i = 0; i < trips; i++) {
                    while (t.turn != 1) {
                        LockSupport.park(t);
                    }
                    t.turn = 0;
                    LockSupport.unpark(main);
                }
            });
            Thread peer = (Thread) Green.receive();
            for (int i = 0; i < trips; i++) {
                t.turn = 1;
                LockSupport.unpark(peer);
                while (t.turn != 0) {
                    LockSupport.park(t);
                }
            }
            echo.join();
            return null;
        });
    }

    private static MethodHandle run;
    private static Object cont;

    private static void continuation(int resumes) throws Throwable {
        if (cont == null) {
            MethodHandles.Lookup l = MethodHandles.lookup();
            Class<?> scopeClass = Class.forName("jdk.internal.vm.ContinuationScope");
            Class<?> contClass = Class.forName("jdk.internal.vm.Continuation");
            Object scope = l.findConstructor(scopeClass, MethodType.methodType(void.class, String.class)).invoke("floor");
            MethodHandle yield = l.findStatic(contClass, "yield", MethodType.methodType(boolean.class, scopeClass));
            cont = l.findConstructor(contClass, MethodType.methodType(void.class, scopeClass, Runnable.class))
                    .invoke(scope, (Runnable) () -> {
                        try {
                            for (;;) {
                                boolean ignored = (boolean) yield.invoke(scope);
                            }
                        } catch (Throwable e) {
                            throw new AssertionError(e);
                        }
                    });
            run = l.findVirtual(contClass, "run", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
        }
        for (int i = 0; i < resumes; i++) {
            run.invokeExact(cont);
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
