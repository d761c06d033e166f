package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * close() never leaves a half-closed runtime (issue 10, item 10): a step that
 * throws (here the warning of step 4, through a java.util.logging filter that
 * throws) does not stop the later steps; the runtime ends closed with every
 * thread of it stopped, the failure is thrown once, and a second close()
 * returns quietly.
 */
@Timeout(60)
class CloseFailureTest {

    static final class InjectedLoggingFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedLoggingFailure() {
            super("injected: the log filter threw");
        }
    }

    @Test
    void aStepThatThrowsStillLeavesTheRuntimeClosedAndASecondCloseIsQuiet() throws Exception {
        // Reflection: the tests are patched into module io.verdant, which does not read java.logging.
        Class<?> loggerClass = Class.forName("java.util.logging.Logger");
        Class<?> filterClass = Class.forName("java.util.logging.Filter");
        Class<?> recordClass = Class.forName("java.util.logging.LogRecord");
        Object logger = loggerClass.getMethod("getLogger", String.class).invoke(null, "io.verdant");
        Object filter = Proxy.newProxyInstance(filterClass.getClassLoader(), new Class<?>[] {filterClass},
                (proxy, method, args) -> {
                    if (method.getName().equals("isLoggable")) {
                        String msg = (String) recordClass.getMethod("getMessage").invoke(args[0]);
                        if (msg != null && msg.contains("close-fail") && msg.contains("abandon")) {
                            throw new InjectedLoggingFailure();
                        }
                        return true;
                    }
                    return method.getName().equals("equals") ? proxy == args[0]
                            : method.getName().equals("hashCode") ? System.identityHashCode(proxy) : "filter";
                });
        loggerClass.getMethod("setFilter", filterClass).invoke(logger, filter);
        try {
            Verdant rt = Verdant.start(Config.builder().workers(1).name("close-fail")
                    .shutdownTimeout(Duration.ofMillis(200)).build());
            CountDownLatch parked = new CountDownLatch(1);
            GreenHandle<Void> stubborn = rt.spawn(() -> {
                parked.countDown();
                while (true) {
                    LockSupport.park(); // ignores interrupts: close abandons it (step 4)
                    Thread.interrupted();
                }
            });
            assertThat(parked.await(10, TimeUnit.SECONDS)).isTrue();

            Throwable first = catchThrowable(rt::close);
            assertThat(first).isInstanceOf(InjectedLoggingFailure.class);
            assertThat(rt.isClosed()).isTrue();
            assertThat(stubborn.isDone()).isTrue();
            for (Thread t : StallTest.threads("close-fail")) {
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
            assertThat(StallTest.threads("close-fail")).as("carriers, ticker, blocking pool").isEmpty();
            assertThat(catchThrowable(rt::close)).as("second close").isNull();
            assertThat(catchThrowable(() -> rt.spawn(() -> 1))).isInstanceOf(IllegalStateException.class);
        } finally {
            loggerClass.getMethod("setFilter", filterClass).invoke(logger, (Object) null);
        }
    }
}
