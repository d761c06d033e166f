/**
 * JUnit 5 support for Verdant's deterministic mode.
 *
 * <p>{@link io.verdant.test.VerdantTest @VerdantTest} on a test method runs the
 * method's body as the root green thread of a fresh deterministic runtime
 * ({@link io.verdant.Verdant#deterministic(io.verdant.Config, io.verdant.Determinism)}),
 * once per schedule, with seeds {@code seedBase, seedBase + 1, ...}; the first
 * schedule that fails fails the test with its replay key. See
 * {@link io.verdant.test.VerdantTest} and docs/testing.md.
 */
package io.verdant.test;
