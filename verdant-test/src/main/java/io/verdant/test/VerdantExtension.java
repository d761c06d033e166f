package io.verdant.test;

import io.verdant.Config;
import io.verdant.Determinism;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ReflectionSupport;
import org.opentest4j.TestAbortedException;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The JUnit 5 extension behind {@link VerdantTest} (which registers it; there
 * is no need to name it). It intercepts the test method's invocation and, in
 * its place, calls the method once per schedule as the root green thread of a
 * fresh deterministic runtime, until a schedule fails or all have passed. So a
 * method reports one result, however many schedules it ran; a failure is a
 * {@link io.verdant.ScheduleFailedException} naming the schedule and its
 * replay key, caused by what the body threw. A body that throws JUnit's
 * {@link TestAbortedException} (a failed assumption) aborts the test.
 *
 * <p>It also resolves parameters of type {@link Schedule} and
 * {@link Determinism} of a {@code @VerdantTest} method, with each schedule's
 * own value. It publishes report entries: {@code verdant.schedules} (how many
 * ran), and on failure {@code verdant.failedSchedule} (its index, from 0) and
 * {@code verdant.replay} (its key).
 *
 * <p>Each schedule's runtime has the settings {@link VerdantTest#config()}
 * supplies ({@link Config#defaults()} unless set).
 */
public final class VerdantExtension implements InvocationInterceptor, ParameterResolver {
    /** Creates the extension; JUnit does, through {@link VerdantTest}. */
    public VerdantExtension() {
    }

    /**
     * Runs the schedules of a {@code @VerdantTest} method in place of its one
     * invocation (a method without the annotation runs as usual).
     *
     * @param invocation the invocation JUnit would make; skipped
     * @param call the method, its target and its resolved arguments
     * @param context the test's extension context
     * @throws io.verdant.ScheduleFailedException for the first failing schedule
     * @throws TestAbortedException if the body aborted (a failed assumption)
     * @throws IllegalArgumentException if the annotation's settings or the
     *         {@code verdant.*} properties are invalid (the message names them)
     * @throws Throwable what a method without the annotation throws
     */
    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                    ExtensionContext context) throws Throwable {
        Method method = call.getExecutable();
        Optional<VerdantTest> spec = AnnotationSupport.findAnnotation(method, VerdantTest.class);
        if (spec.isEmpty()) {
            invocation.proceed();
            return;
        }
        String name = method.getDeclaringClass().getSimpleName() + "." + method.getName();
        Plan plan = Plan.of(spec.get(), name, context::getConfigurationParameter);
        invocation.skip(); // the method is called below, once per schedule
        Object target = call.getTarget().orElse(null);
        List<Object> resolved = call.getArguments();
        Class<?>[] types = method.getParameterTypes();
        Explorer.Outcome outcome = Explorer.explore(plan, config(spec.get(), name), schedule -> {
            Object[] args = resolved.toArray();
            for (int i = 0; i < types.length; i++) {
                if (types[i] == Schedule.class) {
                    args[i] = schedule;
                } else if (types[i] == Determinism.class) {
                    args[i] = schedule.determinism();
                }
            }
            ReflectionSupport.invokeMethod(method, target, args);
        });
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("verdant.schedules", Integer.toString(outcome.ran()));
        if (outcome.failure() == null) {
            context.publishReportEntry(entries);
            return;
        }
        if (outcome.outOfTime()) {
            entries.put("verdant.outOfTime", "true");
            context.publishReportEntry(entries);
            throw Explorer.outOfTime(plan, outcome, name);
        }
        entries.put("verdant.failedSchedule", Integer.toString(outcome.failed().index()));
        entries.put("verdant.replay", outcome.failure().replayKey());
        context.publishReportEntry(entries);
        if (outcome.cause() instanceof TestAbortedException aborted) {
            throw aborted;
        }
        throw Explorer.failure(plan, outcome, name);
    }

    /** The runtime settings {@code spec.config()} supplies. */
    private static Config config(VerdantTest spec, String where) {
        Supplier<Config> supplier;
        try {
            supplier = ReflectionSupport.newInstance(spec.config());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("@VerdantTest on " + where + ": config " + spec.config().getName()
                    + " needs a public no-argument constructor: " + e, e);
        }
        return Objects.requireNonNull(supplier.get(), () -> "@VerdantTest on " + where + ": config "
                + spec.config().getName() + ".get() returned null");
    }

    /**
     * Whether this extension supplies the parameter: one of type
     * {@link Schedule} or {@link Determinism} of a {@code @VerdantTest} method.
     *
     * @param parameter the parameter
     * @param context the test's extension context
     * @return true for those parameters
     */
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return (type == Schedule.class || type == Determinism.class)
                && AnnotationSupport.isAnnotated(parameter.getDeclaringExecutable(), VerdantTest.class);
    }

    /**
     * The first schedule's value of the parameter; each schedule then receives
     * its own (see the class comment).
     *
     * @param parameter the parameter
     * @param context the test's extension context
     * @return a {@link Schedule} or a {@link Determinism}
     */
    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        VerdantTest spec = AnnotationSupport.findAnnotation(parameter.getDeclaringExecutable(), VerdantTest.class)
                .orElseThrow();
        Schedule first;
        try {
            Plan plan = Plan.of(spec, parameter.getDeclaringExecutable().getName(), context::getConfigurationParameter);
            first = new Schedule(0, plan.count(), plan.settings().withSeed(plan.seedBase()));
        } catch (IllegalArgumentException e) {
            // Bad settings: interceptTestMethod, which JUnit calls next, fails the test with them (an
            // IllegalArgumentException naming the test, not JUnit's ParameterResolutionException).
            first = new Schedule(0, 1, Determinism.seed(0));
        }
        return parameter.getParameter().getType() == Schedule.class ? first : first.determinism();
    }
}
