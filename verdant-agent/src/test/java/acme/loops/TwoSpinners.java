package acme.loops;

import io.verdant.Config;
import io.verdant.Verdant;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Child-JVM main: two endless loops on a runtime with ONE worker and no spare
 * carriers. Prints
 * "SHARED" when both have made progress, or "STARVED" when one of them has
 * made progress for {@code args[0]} ms while the other has not started; then
 * halts the JVM (the loops never end).
 */
public final class TwoSpinners {
    private TwoSpinners() {
    }

    public static void main(String[] args) throws InterruptedException {
        long patienceMillis = Long.parseLong(args[0]);
        AtomicLong a = new AtomicLong();
        AtomicLong b = new AtomicLong();
        // One worker, default 10 ms time slice, and no spare carriers: Sysmon's stall
        // hand-off would otherwise rescue the second loop without any safepoint.
        Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("spinners").build());
        rt.spawn(() -> Spin.forever(a));
        rt.spawn(() -> Spin.forever(b));
        long firstProgress = 0;
        for (;;) {
            Thread.sleep(5);
            long x = a.get();
            long y = b.get();
            if (x > 1000 && y > 1000) {
                System.out.println("SHARED a=" + x + " b=" + y);
                break;
            }
            if (firstProgress == 0 && (x > 0 || y > 0)) {
                firstProgress = System.nanoTime();
            }
            if (firstProgress != 0 && System.nanoTime() - firstProgress > patienceMillis * 1_000_000) {
                System.out.println("STARVED a=" + x + " b=" + y);
                break;
            }
        }
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
