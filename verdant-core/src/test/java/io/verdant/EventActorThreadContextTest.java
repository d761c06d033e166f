package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The thread context an event actor's handler runs in. Handlers run on
 * dispatcher green threads, which start on whichever thread's send first needs
 * one and then serve every actor: a dispatcher must not carry that sender's
 * inheritable thread locals (a request context, an inheritable security
 * context) into the handling of everyone else's messages.
 */
@Timeout(60)
class EventActorThreadContextTest {
    private static final InheritableThreadLocal<String> REQUEST = new InheritableThreadLocal<>();

    @Test
    void handlersDoNotSeeTheInheritableLocalsOfTheSenderThatStartedTheirDispatcher() throws Exception {
        ClassLoader starter = Thread.currentThread().getContextClassLoader();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("actor-ctx").build())) {
            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            GreenHandle<Integer> actor = Actors.spawner(rt).spawn(0, (Integer n, Object msg) -> {
                seen.add(msg + ":" + REQUEST.get()
                        + ":" + (Thread.currentThread().getContextClassLoader() == starter));
                return n + 1;
            });
            ClassLoader other = new ClassLoader(starter) { };
            Thread first = Thread.ofPlatform().start(() -> {
                REQUEST.set("request-1");
                Thread.currentThread().setContextClassLoader(other);
                rt.send(actor.pid(), "m1"); // the first message: its send starts a dispatcher
            });
            first.join();
            assertThat(seen.poll(20, TimeUnit.SECONDS)).isEqualTo("m1:null:true");
            Thread second = Thread.ofPlatform().start(() -> {
                REQUEST.set("request-2");
                rt.send(actor.pid(), "m2");
            });
            second.join();
            assertThat(seen.poll(20, TimeUnit.SECONDS)).as("another sender's message").isEqualTo("m2:null:true");
        }
    }
}
