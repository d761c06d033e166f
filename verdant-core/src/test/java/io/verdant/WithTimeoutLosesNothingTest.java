package io.verdant;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Green.withTimeout whose deadline races the body's own success: a body that
 * took a value from a channel and returned it must not have its result
 * replaced by TimedOutException (the value, gone from the channel, was then
 * seen by nobody). Bounded in count and time; 1 and 2 carriers.
 */
@Timeout(60)
class WithTimeoutLosesNothingTest {

    @ParameterizedTest
    @CsvSource({"1,0", "2,0", "2,10"})
    void aValueTheBodyReceivedIsReturnedNeverLost(int workers, int slice) {
        int n = 20_000;
        try (Verdant rt = Verdant.start(Config.builder().workers(workers).timeslice(Duration.ofMillis(slice))
                .name("wto-race").build())) {
            int[] r = rt.run(() -> {
                Channel<Integer> ch = Channel.rendezvous();
                AtomicBoolean producerDone = new AtomicBoolean();
                GreenHandle<Void> producer = Green.spawn(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    for (int i = 0; i < n; i++) {
                        ch.send(i); // returns once a body has taken i
                        if (rnd.nextInt(256) == 0) {
                            // A gap: the caller's deadlines fire while nobody sends.
                            Green.sleep(Duration.ofMillis(2));
                        }
                    }
                    producerDone.set(true);
                });
                BitSet got = new BitSet(n);
                int received = 0;
                int timedOut = 0;
                long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!producerDone.get() && System.nanoTime() < until) {
                    try {
                        int v = Green.withTimeout(Duration.ofNanos(ThreadLocalRandom.current().nextInt(1_000_000)),
                                () -> ch.receive());
                        got.set(v);
                        received++;
                    } catch (TimedOutException e) {
                        timedOut++;
                    }
                }
                producer.join(Duration.ofSeconds(10));
                return new int[] {received, got.cardinality(), timedOut};
            });
            assertThat(r[2]).as("some calls timed out (else nothing raced)").isPositive();
            assertThat(r[1]).as("distinct values received").isEqualTo(r[0]);
            assertThat(r[0]).as("values sent and taken by a body, each returned by withTimeout").isEqualTo(n);
        }
    }

    /**
     * The caller is cancelled as the body takes a value: the body's receive may
     * complete although the cancellation reached it too. A value the body took
     * is returned to the caller (whose cancellation stays set), never dropped
     * with a CancelledException.
     */
    @ParameterizedTest
    @CsvSource({"2,0", "2,10"})
    void aValueTheBodyReceivedAsTheCallerIsCancelledIsReturnedNeverLost(int workers, int slice) {
        int n = 20_000;
        try (Verdant rt = Verdant.start(Config.builder().workers(workers).timeslice(Duration.ofMillis(slice))
                .name("wto-cancel-race").build())) {
            int[] r = rt.run(() -> {
                Channel<Integer> ch = Channel.rendezvous();
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                int sent = 0;
                int lost = 0;
                int wrong = 0;
                for (int k = 0; k < n; k++) {
                    int value = k;
                    GreenHandle<Integer> caller = Green.spawn(() -> Green.withTimeout(Duration.ofMinutes(1),
                            () -> ch.receive()));
                    GreenHandle<Boolean> sender = Green.spawn(() -> {
                        try {
                            ch.send(value);
                            return true;
                        } catch (CancelledException e) {
                            return false;
                        }
                    });
                    for (int y = rnd.nextInt(4); y > 0; y--) {
                        Green.yield();
                    }
                    caller.cancel();
                    Integer got = null;
                    try {
                        got = caller.join(Duration.ofSeconds(10));
                    } catch (GreenFailedException e) {
                        assertThat(e.getCause()).isInstanceOf(CancelledException.class);
                    }
                    sender.cancel();
                    boolean delivered = sender.join(Duration.ofSeconds(10));
                    if (delivered) {
                        sent++;
                        if (got == null) {
                            lost++;
                        }
                    }
                    if (got != null && (!delivered || got != value)) {
                        wrong++;
                    }
                }
                return new int[] {sent, lost, wrong};
            });
            assertThat(r[0]).as("values the body took (else nothing raced)").isPositive();
            assertThat(r[2]).as("values returned that were not sent").isZero();
            assertThat(r[1]).as("values the body took that the caller never saw").isZero();
        }
    }
}
