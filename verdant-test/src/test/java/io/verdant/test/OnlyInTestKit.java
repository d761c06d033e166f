package io.verdant.test;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Enables a fixture class (a test class that other tests run through
 * EngineTestKit and whose tests are meant to fail) only when the run sets the
 * configuration parameter {@value #PARAMETER}, so an IDE's "run all tests"
 * does not report the fixtures' intended failures.
 */
final class OnlyInTestKit implements ExecutionCondition {
    static final String PARAMETER = "verdant.testkit";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return context.getConfigurationParameter(PARAMETER).isPresent()
                ? ConditionEvaluationResult.enabled("run by EngineTestKit")
                : ConditionEvaluationResult.disabled("a fixture of an EngineTestKit test; run through it");
    }
}
