package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.GreenState;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A retired spare's counters are kept (Scheduler.retired adds them to the
 * scheduler's accumulator with WorkerCounters.add): every counter, exactly. Review
 * found add missed spawnYields (and spawnSignals), so a spare's back-pressure
 * yields vanished from the totals when it retired.
 */
@Timeout(60)
class RetiredCountersTest {

    /** Every counter field, found by reflection, so that a counter added later and not to add() fails here. */
    private static List<Field> counterFields() {
        List<Field> fields = new ArrayList<>();
        for (Class<?> c = WorkerCounters.class; c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.getType() == long.class && !Modifier.isStatic(f.getModifiers()) && !Modifier.isPrivate(f.getModifiers())) {
                    f.setAccessible(true);
                    fields.add(f);
                }
            }
        }
        return fields;
    }

    @Test
    void addSumsEveryCounter() throws Exception {
        List<Field> fields = counterFields();
        assertThat(fields).extracting(Field::getName).contains("spawnYields", "spawnSignals", "spawned", "busyTicks");
        WorkerCounters a = new WorkerCounters();
        WorkerCounters b = new WorkerCounters();
        long v = 1;
        for (Field f : fields) {
            f.setLong(a, v);
            f.setLong(b, 1000 * v);
            v++;
        }
        a.add(b);
        v = 1;
        for (Field f : fields) {
            assertThat(f.getLong(a)).as(f.getName()).isEqualTo(1001 * v);
            v++;
        }
    }

    private static long spinWithoutSafepoint(AtomicBoolean stop) {
        long n = 0;
        while (!stop.get()) {
            n++;
        }
        return n;
    }

    private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not reached within 30 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /** The spawn yields of the carriers alive now plus those of retired spares. */
    private static long spawnYields(Scheduler s) {
        Scheduler.CarriersAndRetired both = s.carriersAndRetired();
        long n = both.retired().spawnYields;
        for (Worker w : both.carriers()) {
            n += w.counters.spawnYields;
        }
        return n;
    }

    /**
     * One core, held by a loop without safepoints, so a spare starts; a spawn loop
     * runs on the spare and overflows its ring (back-pressure yields counted on the
     * spare). When the core is back the spare retires; the runtime's total of
     * spawn yields is the same before and after (no spawn runs in between).
     */
    @Test
    void aRetiredSparesSpawnYieldsAreKept() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).timeslice(Duration.ZERO).name("retired-counters")
                .stallThreshold(Duration.ofMillis(100)).maxSpareCarriers(1).build())) {
            Scheduler s = rt.run(() -> io.verdant.internal.GreenThread.current().runtime().scheduler);
            GreenHandle<Long> looper = rt.spawner().name("looper").spawn(() -> spinWithoutSafepoint(stop));
            long total;
            try {
                waitUntil(() -> looper.state() == GreenState.RUNNING);
                // Only the spare can run this (the core is held): 10,000 spawns in one
                // dispatch overflow its ring, and the spawner yields.
                int ran = rt.spawn(() -> {
                    List<GreenHandle<Integer>> kids = new ArrayList<>();
                    for (int i = 0; i < 10_000; i++) {
                        kids.add(Green.spawn(() -> 1));
                    }
                    int sum = 0;
                    for (GreenHandle<Integer> k : kids) {
                        sum += k.join(Duration.ofSeconds(30));
                    }
                    return sum;
                }).join(Duration.ofSeconds(30));
                assertThat(ran).isEqualTo(10_000);
                long onSpare = 0;
                for (Worker w : s.carriers()) {
                    if (w.isSpare()) {
                        onSpare += w.counters.spawnYields;
                    }
                }
                assertThat(onSpare).as("spawn yields counted on the spare").isGreaterThan(0);
                total = spawnYields(s);
            } finally {
                stop.set(true);
            }
            looper.join(Duration.ofSeconds(30));
            waitUntil(() -> s.spareCarriers() == 0);
            assertThat(spawnYields(s)).as("spawn yields after the spare retired").isEqualTo(total);
        }
    }
}
