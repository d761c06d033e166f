package io.verdant.bench;

import java.util.Locale;

/**
 * Prints measurements in the benchmark output contract of DESIGN.md:
 * {@code RESULT bench=<name> system=<system> n=<ops> <metric>=<number> [key=value ...]}.
 */
public final class Report {
    /**
     * Prints one RESULT line. {@code extra} are further {@code key=value} pairs
     * (e.g. {@code "workers=2"}, {@code "p99_us=12.5"}).
     */
    public void result(String bench, String system, long n, String metric, double value, String... extra) {
        StringBuilder sb = new StringBuilder("RESULT bench=").append(bench).append(" system=").append(system)
                .append(" n=").append(n).append(' ').append(metric).append('=').append(format(value));
        for (String e : extra) {
            sb.append(' ').append(e);
        }
        System.out.println(sb);
        System.out.flush();
    }

    /** A free-form note line (prefixed with '#', ignored by parsers). */
    public void note(String text) {
        System.out.println("# " + text);
        System.out.flush();
    }

    public static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
