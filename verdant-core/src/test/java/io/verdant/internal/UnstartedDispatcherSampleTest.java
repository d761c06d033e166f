package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Priority;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * The ticker samples whatever task a carrier runs, a dispatcher's too, from its first
 * instruction on: before the dispatcher's body has noted its own record (Dispatcher.call),
 * and between turns. Such a dispatcher acts as itself. Before, the sample found no record
 * and the ticker's pass died of a NullPointerException (logged SEVERE as "unexpected error",
 * the rest of that pass's rules skipped for every carrier): seen once in 300 one-worker
 * runtimes that started a CRITICAL dispatcher; here the record the ticker sees is built as
 * it is at that instant.
 */
@Timeout(30)
class UnstartedDispatcherSampleTest {

    @Test
    void aDispatcherSampledBeforeItsBodyRanActsAsItself() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("unstarted-dispatcher").build())) {
            RuntimeCore core = rt.run(() -> GreenThread.current().runtime());
            Dispatcher body = new Dispatcher(core.dispatchers());
            GreenThread<Object> dispatcher = new GreenThread<>(core, body, Priority.NORMAL);
            // Compared by identity: a thread-less record's toString is an event actor's.
            assertThat(dispatcher.actingAs() == dispatcher).as("acts as itself").isTrue();
            assertThat(dispatcher.reportedAs() == dispatcher).as("reported as itself").isTrue();
            assertThatCode(() -> dispatcher.chargeTicks(1)).as("the ticker's sample").doesNotThrowAnyException();
        }
    }
}
