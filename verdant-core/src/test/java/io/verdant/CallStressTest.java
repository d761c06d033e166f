package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls whose timeouts race their replies: every call either returns its own
 * reply or times out, no reply ever lands in a caller's mailbox, and every
 * reply that lost the race is counted as a dead letter. Bounded in count.
 */
@Timeout(120)
class CallStressTest {
    record Echo(int n, boolean slow, ReplyTo<Integer> replyTo) {
    }

    @Test
    void timeoutsRacingRepliesNeverMisdeliver() {
        AtomicInteger late = new AtomicInteger();
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("call-stress").build())) {
            List<Integer> outcome = rt.run(() -> {
                List<GreenHandle<Void>> servers = new ArrayList<>();
                for (int s = 0; s < 4; s++) {
                    servers.add(Green.spawn(() -> {
                        for (;;) {
                            Echo e = Green.receive(Echo.class);
                            if (e.slow()) {
                                Green.sleep(Duration.ofMillis(2));
                            }
                            if (!e.replyTo().reply(e.n())) {
                                late.incrementAndGet();
                            }
                        }
                    }));
                }
                List<GreenHandle<int[]>> callers = new ArrayList<>();
                for (int c = 0; c < 8; c++) {
                    callers.add(Green.spawn(() -> {
                        int ok = 0;
                        int timedOut = 0;
                        ThreadLocalRandom rnd = ThreadLocalRandom.current();
                        for (int i = 0; i < 300; i++) {
                            int n = rnd.nextInt();
                            boolean slow = rnd.nextInt(4) == 0;
                            Pid server = servers.get(rnd.nextInt(servers.size())).pid();
                            try {
                                int r = Green.call(server, (ReplyTo<Integer> to) -> new Echo(n, slow, to),
                                        Duration.ofMillis(slow ? 1 : 5_000));
                                assertThat(r).isEqualTo(n);
                                ok++;
                            } catch (TimedOutException expected) {
                                timedOut++;
                            }
                            assertThat(Green.mailboxSize()).isZero();
                        }
                        return new int[] {ok, timedOut};
                    }));
                }
                int ok = 0;
                int timedOut = 0;
                for (int[] r : Green.joinAll(callers)) {
                    ok += r[0];
                    timedOut += r[1];
                }
                for (GreenHandle<Void> s : servers) {
                    s.cancel();
                }
                return List.of(ok, timedOut, (int) Green.runtime().deadLetterCount());
            });
            assertThat(outcome.get(0) + outcome.get(1)).isEqualTo(8 * 300);
            // Every timed-out call's reply came late (the servers answer everything before they are cancelled,
            // except possibly the last few): each late reply was refused and counted.
            assertThat(outcome.get(2)).isEqualTo(late.get());
            assertThat(late.get()).isLessThanOrEqualTo(outcome.get(1));
        }
    }
}
