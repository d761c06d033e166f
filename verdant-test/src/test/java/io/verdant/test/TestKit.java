package io.verdant.test;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.engine.reporting.ReportEntry;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** Runs a fixture class through the Jupiter engine and reads its one test's outcome. */
final class TestKit {
    private TestKit() {
    }

    /** The outcome of a fixture's one test: status, what it threw, its report entries. */
    record Result(TestExecutionResult.Status status, Throwable thrown, Map<String, String> entries) {
        String message() {
            return thrown == null ? null : thrown.getMessage();
        }
    }

    /** Runs {@code fixture} with the given extra configuration parameters (key, value, key, value...). */
    static Result run(Class<?> fixture, String... parameters) {
        EngineTestKit.Builder b = EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture))
                .configurationParameter(OnlyInTestKit.PARAMETER, "true");
        for (int i = 0; i + 1 < parameters.length; i += 2) {
            b = b.configurationParameter(parameters[i], parameters[i + 1]);
        }
        EngineExecutionResults results = b.execute();
        List<Event> finished = results.testEvents().finished().list();
        if (finished.size() != 1) {
            throw new AssertionError("expected one test to finish in " + fixture.getSimpleName() + ", got "
                    + finished + "; all events: " + results.allEvents().list());
        }
        TestExecutionResult r = finished.getFirst().getRequiredPayload(TestExecutionResult.class);
        Map<String, String> entries = new HashMap<>();
        for (Event e : results.testEvents().reportingEntryPublished().list()) {
            entries.putAll(e.getRequiredPayload(ReportEntry.class).getKeyValuePairs());
        }
        return new Result(r.getStatus(), r.getThrowable().orElse(null), entries);
    }
}
