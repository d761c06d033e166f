package io.verdant.examples;

import io.verdant.ScheduleFailedException;
import io.verdant.test.VerdantTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * {@code @VerdantTest} on the bank transfer example: the check-then-debit
 * transfer fails within 20 schedules from seed 0, with its replay key; the
 * fixed transfer passes the same 20 schedules.
 */
@Timeout(120)
class BankTransferExampleTest {
    /** The same exploration for both versions: 20 schedules, seeds 0 to 19, strategy random. */
    private static final int SCHEDULES = 20;

    @VerdantTest(schedules = SCHEDULES)
    void tryDebitNeverOverdraws() {
        long[] balances = BankTransferExample.twoTransfers(BankTransferExample::tryDebit);
        assertThat(balances).containsExactly(40, 60);
    }

    /** The buggy version as a test of its own; it is meant to fail, so only the test kit runs it. */
    @ExtendWith(OnlyInTestKit.class)
    static class CheckThenDebit {
        @VerdantTest(schedules = SCHEDULES)
        void checkThenDebitNeverOverdraws() {
            BankTransferExample.twoTransfers(BankTransferExample::checkThenDebit);
        }
    }

    @Test
    void checkThenDebitIsFoundWithinTwentySchedulesWithAReplayKey() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(CheckThenDebit.class))
                .configurationParameter(OnlyInTestKit.PARAMETER, "true").execute();
        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        Throwable thrown = results.testEvents().failed().list().getFirst()
                .getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
        Map<String, String> entries = new HashMap<>();
        results.testEvents().reportingEntryPublished().list()
                .forEach(e -> entries.putAll(e.getRequiredPayload(ReportEntry.class).getKeyValuePairs()));
        assertThat(thrown).isInstanceOf(ScheduleFailedException.class)
                .hasMessageStartingWith("[replay v1:random:0x")
                .hasMessageContaining("replay: @VerdantTest(replay = \"v1:random:0x")
                .cause().hasMessageContaining("alice overdrawn: balances -20 and 120");
        int index = Integer.parseInt(entries.get("verdant.failedSchedule"));
        assertThat(index).as("index of the first failing schedule").isBetween(0, SCHEDULES - 1);
        System.out.println("bank transfer check-then-debit found at schedule index " + index + ": "
                + thrown.getMessage().lines().findFirst().orElse(""));

        // The key replays the same failure.
        String key = ((ScheduleFailedException) thrown).replayKey();
        EngineExecutionResults replay = EngineTestKit.engine("junit-jupiter").selectors(selectClass(CheckThenDebit.class))
                .configurationParameter(OnlyInTestKit.PARAMETER, "true")
                .configurationParameter("verdant.replay", key).execute();
        Throwable again = replay.testEvents().failed().list().getFirst()
                .getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
        assertThat(((ScheduleFailedException) again).trace()).isEqualTo(((ScheduleFailedException) thrown).trace());
    }

    /** Enables the fixture only when the test kit runs it (an IDE's "run all" would report its intended failure). */
    static final class OnlyInTestKit implements ExecutionCondition {
        static final String PARAMETER = "verdant.testkit";

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(PARAMETER).isPresent()
                    ? ConditionEvaluationResult.enabled("run by the test kit")
                    : ConditionEvaluationResult.disabled("a fixture: BankTransferExampleTest runs it");
        }
    }
}
