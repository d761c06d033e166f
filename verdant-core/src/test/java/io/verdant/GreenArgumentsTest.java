package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Green's static operations on bad arguments: a precise exception, thrown before anything happens. */
@Timeout(60)
class GreenArgumentsTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(1).name("green-args").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    /** joinAll used to wait for the handles before a null one, then fail with an anonymous NPE. */
    @Test
    void joinAllRefusesANullHandleBeforeWaiting() {
        CountDownLatch release = new CountDownLatch(1);
        try {
            GreenHandle<String> running = rt.spawn(() -> {
                release.await();
                return "released";
            });
            List<GreenHandle<String>> handles = new ArrayList<>();
            handles.add(running);
            handles.add(null);
            GreenHandle<List<String>> caller = rt.spawn(() -> Green.joinAll(handles));
            assertThatThrownBy(() -> caller.join(Duration.ofSeconds(10))).isInstanceOf(GreenFailedException.class)
                    .cause().isInstanceOf(NullPointerException.class).hasMessageContaining("handles");
            assertThat(running.isDone()).isFalse();
        } finally {
            release.countDown();
        }
    }
}
