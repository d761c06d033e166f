package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.temporal.ChronoUnit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A supervisor told never to give up (a restart window no clock reaches) keeps
 * no timestamp per restart: a child in a crash loop does not grow it.
 */
@Timeout(60)
class SupervisorRestartHistoryTest {
    private static final int LOOPS = 2_000;

    @Test
    void aCrashLoopUnderAWindowNoClockReachesHoldsNoRestartTimestamps() throws Exception {
        CountDownLatch starts = new CountDownLatch(LOOPS + 1);
        LogCapture log = new LogCapture("io.verdant.supervisor"); // a restart per loop is logged: kept off the console
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("sup-history").build())) {
            Supervisor sup = Supervisor.builder().name("never-gives-up")
                    .intensity(Integer.MAX_VALUE, ChronoUnit.FOREVER.getDuration())
                    .child(Supervisor.ChildSpec.of("loop", () -> {
                        starts.countDown();
                        return null; // PERMANENT: restarted every time it returns
                    }))
                    .start(rt);
            assertThat(starts.await(30, TimeUnit.SECONDS)).as("%d restarts", LOOPS).isTrue();
            assertThat(sup.restartCount()).isGreaterThanOrEqualTo(LOOPS);
            assertThat(sup.restartTimesHeld()).as("restart timestamps held after %d restarts", sup.restartCount())
                    .isZero();
            sup.shutdown();
        } finally {
            log.close();
        }
    }

    @Test
    void aWindowNoClockReachesStillGivesUpAfterMaxRestarts() {
        LogCapture log = new LogCapture("io.verdant.supervisor");
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("sup-history-limit").build())) {
            Supervisor sup = Supervisor.builder().name("gives-up")
                    .intensity(3, ChronoUnit.FOREVER.getDuration())
                    .child(Supervisor.ChildSpec.of("crash", () -> {
                        throw new IllegalStateException("crash");
                    }))
                    .start(rt);
            assertThatThrownBy(() -> sup.handle().join()).isInstanceOf(GreenFailedException.class)
                    .hasCauseInstanceOf(RestartIntensityException.class);
            assertThat(sup.restartCount()).isEqualTo(3);
        } finally {
            log.close();
        }
    }
}
