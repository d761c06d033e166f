package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behavior's contract: inside an event actor's handler "every blocking operation
 * works as in a green thread". Green.scope and TaskScope.join wait for their
 * children by parking the owner and having the last child unpark
 * the thread that parked. Before the fix they unparked {@code owner.virtualThread()}
 * (ScopeCore.childBodyEnded, TaskScopeCore.childEnded and stopLocked); in a handler
 * the owner is the actor, which has no virtual thread (null): the unpark was lost,
 * and the dispatcher that parked waited for ever once a child was still running
 * when the owner first parked. Now the scope unparks the thread that opened it.
 */
@Timeout(60)
class ScopeInEventActorTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("scope-in-actor").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void aScopeInAHandlerReturnsOnceItsChildEnds() throws Exception {
        LinkedBlockingQueue<Object> out = new LinkedBlockingQueue<>();
        GreenHandle<Object> a = Actors.spawner(rt).spawn(null, (s, m) -> {
            out.add(Green.scope(scope -> {
                scope.spawn(() -> Green.sleep(Duration.ofMillis(50))); // still running when the owner waits
                return "scope done";
            }));
            return s;
        });
        Green.send(a.pid(), "go");
        assertThat(out.poll(20, TimeUnit.SECONDS)).as("the handler's scope returned").isEqualTo("scope done");
    }

    @Test
    void aTaskScopeJoinInAHandlerReturnsOnceItsChildEnds() throws Exception {
        LinkedBlockingQueue<Object> out = new LinkedBlockingQueue<>();
        GreenHandle<Object> a = Actors.spawner(rt).spawn(null, (s, m) -> {
            try (TaskScope<String, List<String>> scope = TaskScope.open()) {
                scope.fork(() -> {
                    Green.sleep(Duration.ofMillis(50));
                    return "child";
                });
                out.add(scope.join());
            }
            return s;
        });
        Green.send(a.pid(), "go");
        assertThat(out.poll(20, TimeUnit.SECONDS)).as("the handler's join returned").isEqualTo(List.of("child"));
    }
}
