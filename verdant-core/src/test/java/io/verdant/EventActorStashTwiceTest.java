package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Actors.stash() puts the message being handled aside once, however often the handler calls it. */
@Timeout(30)
class EventActorStashTwiceTest {

    @Test
    void stashingTheSameMessageTwiceHandlesItOnceAfterUnstash() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("stash-twice").build())) {
            List<Object> handled = new CopyOnWriteArrayList<>();
            List<Integer> sizes = new CopyOnWriteArrayList<>();
            GreenHandle<Boolean> actor = Actors.spawner(rt).spawn(false, (Boolean open, Object m) -> {
                if (m.equals("open")) {
                    Actors.unstashAll();
                    return true;
                }
                if (m.equals("stop")) {
                    Actors.stop();
                    return open;
                }
                if (!open) {
                    Actors.stash();
                    Actors.stash(); // e.g. two helpers each defer the message
                    sizes.add(Actors.stashSize());
                    return false;
                }
                handled.add(m);
                return true;
            });
            Green.send(actor.pid(), "a");
            Green.send(actor.pid(), "open");
            Green.send(actor.pid(), "stop");
            assertThat(actor.join(Duration.ofSeconds(10))).isTrue();
            assertThat(sizes).as("stash size after stashing \"a\" twice").containsExactly(1);
            assertThat(handled).as("messages handled after unstash").containsExactly("a");
        }
    }
}
