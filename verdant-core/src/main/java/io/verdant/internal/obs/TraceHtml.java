package io.verdant.internal.obs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;

/**
 * Writes a {@link TraceData} as one self-contained HTML page: an inline SVG
 * with one lane per carrier, each slice a bar in its green thread's colour, a
 * time axis and a legend. No script, no style sheet or font fetched: any
 * browser draws it offline.
 *
 * <p>Bars narrower than a pixel would be invisible and bloat the page, so
 * consecutive slices of one thread less than a pixel apart are merged into one
 * bar, and every bar is at least one pixel wide. The hover title of a bar names
 * the thread and the time span, and for a slice that ended in a park what it
 * parked on (the wait reason of its blocker). Preemption requests are drawn as
 * red ticks above the lane, stalls as dark red bars across it.
 *
 * <p>Wake-ups are arrows ({@link #ARROW}): from the waker's slice (its end) to
 * the woken thread's slice it made runnable (its start; {@link WakeMatch}), and from a source lane below the
 * carriers ("timer", "io", "outside": drawn only when they have events, each
 * event a grey tick) for wake-ups made off the carriers. An arrow is a line and
 * a filled triangular head; arrows that would land on the same pixels as one
 * already drawn, and arrows within one lane shorter than {@link #MIN_ARROW}
 * pixels, are left out, and at most {@link #MAX_ARROWS} are drawn (the page of a
 * long trace stays small); the page's subtitle says how many.
 *
 * <p>Below the carriers and the legend, a second section draws the trace per
 * green thread ({@link GreenThreadView}): one row per thread, for the
 * {@link #MAX_THREAD_ROWS} that ran longest (the others are counted in the
 * section's title), each showing when it ran (a bar in its colour; the hover
 * title names the carrier), when it was runnable and waiting for a carrier
 * ({@link #RUNNABLE}, from its wake-up or spawn to its next slice) and when it
 * was parked ({@link #WAITING}, a thin bar; the title names what it parked on
 * and, for a mutex, who held it at the park). The section is a
 * {@code <g id="green-threads">} whose {@code data-top} is the y of its first row.
 *
 * <p>The layout constants are public so that a test can find the lanes in a
 * screenshot of the page.
 */
public final class TraceHtml {
    /** Width of the drawing in CSS pixels. */
    public static final int WIDTH = 1200;
    /** Left margin (lane names). */
    public static final int LEFT = 110;
    /** Right margin. */
    public static final int RIGHT = 20;
    /** Top of the first lane. */
    public static final int TOP = 50;
    /** Height of a lane. */
    public static final int LANE_HEIGHT = 36;
    /** Gap between lanes. */
    public static final int LANE_GAP = 10;
    /** The page background. */
    public static final String BACKGROUND = "#ffffff";
    /** A lane's background. */
    public static final String LANE_BACKGROUND = "#ececec";
    /** The colour of wake-up arrows: full-saturation blue, which no thread colour
     * ({@link #colorOf}: saturation 0.7) comes within 30 of in any channel. */
    public static final String ARROW = "#0000ff";
    /** Same-lane arrows shorter than this (pixels) are not drawn: a waker and the
     * thread it woke back to back on one carrier would make a bare arrowhead. */
    public static final double MIN_ARROW = 6;
    /** Arrows drawn at most. */
    public static final int MAX_ARROWS = 5_000;
    /** Green threads drawn at most in the per-thread section, the longest-running first: 50
     * rows (about 900 pixels) keep the page readable; the rest are counted in its title. */
    public static final int MAX_THREAD_ROWS = 50;
    /** Height of a green thread's row. */
    public static final int ROW_HEIGHT = 14;
    /** Gap between two rows. */
    public static final int ROW_GAP = 4;
    /** A row's background. */
    public static final String ROW_BACKGROUND = "#f6f6f6";
    /** The colour of a runnable span (made runnable, waiting for a carrier): amber, a
     * channel at 0 and one at 255, which no thread colour ({@link #colorOf}: every
     * channel between 34 and 223) comes near. */
    public static final String RUNNABLE = "#ffb000";
    /** The colour of a parked span (a thin bar): a grey, which no thread colour is (their
     * channels always differ by 150 or more). */
    public static final String WAITING = "#a9a9a9";
    /** Height of a parked span's thin bar. */
    public static final int WAITING_HEIGHT = 4;
    /** A source lane's background (lighter than a carrier's). */
    private static final String SOURCE_BACKGROUND = "#f5f5f5";
    /** The colour of a source lane's ticks. */
    private static final String SOURCE_TICK = "#555555";
    /** Threads named in the legend, longest-running first. */
    private static final int LEGEND_ENTRIES = 12;

    private TraceHtml() {
    }

    /**
     * The top of lane number {@code k} of the page (k-th drawn lane).
     *
     * @param k the lane's position, from 0
     * @return its top y in CSS pixels
     */
    public static int laneTop(int k) {
        return TOP + k * (LANE_HEIGHT + LANE_GAP);
    }

    /**
     * The colour of a green thread: a hue spread by the golden ratio over its pid
     * (so neighbouring pids differ), fixed saturation and lightness; grey for
     * foreign work. The same thread has the same colour in every trace.
     *
     * @param id a task id ({@link TraceEvent})
     * @return a colour as {@code #rrggbb}
     */
    public static String colorOf(long id) {
        if (id == 0) {
            return "#8c8c8c";
        }
        long mixed = (id & 0xFFFFFFFFL) + (id >>> 32) * 7919;
        double hue = (mixed * 0.6180339887498949) % 1.0;
        double light = (mixed & 1) == 0 ? 0.45 : 0.58;
        return hsl(hue, 0.7, light);
    }

    private static String hsl(double h, double s, double l) {
        double c = (1 - Math.abs(2 * l - 1)) * s;
        double hp = h * 6;
        double x = c * (1 - Math.abs(hp % 2 - 1));
        double r = 0;
        double g = 0;
        double b = 0;
        switch ((int) hp) {
            case 0 -> { r = c; g = x; }
            case 1 -> { r = x; g = c; }
            case 2 -> { g = c; b = x; }
            case 3 -> { g = x; b = c; }
            case 4 -> { r = x; b = c; }
            default -> { r = c; b = x; }
        }
        double m = l - c / 2;
        return String.format("#%02x%02x%02x", Math.round((r + m) * 255), Math.round((g + m) * 255),
                Math.round((b + m) * 255));
    }

    /**
     * The lanes the page draws: every core carrier, and every spare slot that has events.
     *
     * @param d the trace
     * @return lane indexes of {@code d}, in drawing order
     */
    public static List<Integer> drawnLanes(TraceData d) {
        List<Integer> lanes = new ArrayList<>();
        for (int lane = 0; lane < d.tickerLane(); lane++) {
            if (lane < d.workers() || d.counts()[lane] > 0) {
                lanes.add(lane);
            }
        }
        return lanes;
    }

    /**
     * Writes the page.
     *
     * @param d   the trace
     * @param out where to write
     * @throws IOException if {@code out} throws
     */
    public static void write(TraceData d, Appendable out) throws IOException {
        long t0 = d.startNanos();
        long span = Math.max(1, d.endNanos() - t0);
        double plot = WIDTH - LEFT - RIGHT;
        double scale = plot / span;
        List<Integer> lanes = drawnLanes(d);
        Map<Long, Long> total = new HashMap<>();
        long slices = 0;
        for (int lane : lanes) {
            long[] ev = d.lanes()[lane];
            for (int k = 0; k < d.counts()[lane]; k++) {
                int j = k * TraceRing.LONGS;
                if (TraceEvent.type(ev[j]) == TraceEvent.SLICE) {
                    total.merge(ev[j + 3], ev[j + 2] - ev[j + 1], Long::sum);
                    slices++;
                }
            }
        }
        List<Map.Entry<Long, Long>> legend = new ArrayList<>(total.entrySet());
        legend.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        if (legend.size() > LEGEND_ENTRIES) {
            legend = legend.subList(0, LEGEND_ENTRIES);
        }
        List<Integer> sources = sourceLanes(d);
        int axisY = laneTop(lanes.size() + sources.size()) + 4;
        int legendY = axisY + 40;
        int legendRows = (legend.size() + 2) / 3;
        List<GreenThreadView.Row> threadRows = GreenThreadView.of(d);
        List<GreenThreadView.Row> drawnRows = GreenThreadView.busiest(threadRows, MAX_THREAD_ROWS);
        int sectionY = legendY + legendRows * 20 + 20;
        int rowsTop = sectionY + 44;
        int height = drawnRows.isEmpty() ? sectionY : rowsTop + drawnRows.size() * (ROW_HEIGHT + ROW_GAP) + 20;

        StringBuilder b = new StringBuilder(1 << 16);
        b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
        esc(b, "Verdant trace: " + d.runtimeName());
        b.append("</title></head>\n<body style=\"margin:0;background:").append(BACKGROUND).append("\">\n");
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        b.append("<rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" fill=\"").append(BACKGROUND).append("\"/>\n");
        b.append("<text x=\"").append(LEFT).append("\" y=\"22\" font-size=\"15\" font-weight=\"bold\">");
        esc(b, "verdant '" + d.runtimeName() + "'");
        b.append("</text><text x=\"").append(LEFT).append("\" y=\"40\" fill=\"#555\">");
        StringBuilder arrows = new StringBuilder();
        int[] arrowCount = arrows(d, lanes, sources, scale, arrows);
        esc(b, String.format(java.util.Locale.ROOT,
                "%,d slices, %s, %,d events, %,d dropped, %,d wake-up arrows drawn of %,d, clock read %.0f ns", slices,
                duration(span), d.events(), d.dropped(), arrowCount[0], arrowCount[1], d.clockNanos()));
        b.append("</text>\n");
        for (int k = 0; k < lanes.size(); k++) {
            int lane = lanes.get(k);
            int y = laneTop(k);
            b.append("<text x=\"").append(LEFT - 8).append("\" y=\"").append(y + LANE_HEIGHT / 2 + 4)
                    .append("\" text-anchor=\"end\">");
            esc(b, d.laneNames()[lane]);
            b.append("</text><rect x=\"").append(LEFT).append("\" y=\"").append(y).append("\" width=\"")
                    .append((int) plot).append("\" height=\"").append(LANE_HEIGHT).append("\" fill=\"")
                    .append(LANE_BACKGROUND).append("\"/>\n<g shape-rendering=\"crispEdges\">\n");
            long[] ev = d.lanes()[lane];
            long curId = -1;
            double curX0 = 0;
            double curX1 = 0;
            long curT0 = 0;
            long curT1 = 0;
            String curWhy = "";
            for (int k2 = 0; k2 < d.counts()[lane]; k2++) {
                int j = k2 * TraceRing.LONGS;
                if (TraceEvent.type(ev[j]) != TraceEvent.SLICE) {
                    continue;
                }
                double x0 = LEFT + (ev[j + 1] - t0) * scale;
                double x1 = LEFT + (ev[j + 2] - t0) * scale;
                long id = ev[j + 3];
                if (id == curId && x0 - curX1 < 1.0) {
                    curX1 = x1;
                    curT1 = ev[j + 2];
                    curWhy = d.parkReason(lane, k2);
                    continue;
                }
                if (curId != -1) {
                    bar(b, d, curId, curX0, curX1, y, curT0 - t0, curT1 - t0, curWhy);
                }
                curId = id;
                curX0 = x0;
                curX1 = x1;
                curT0 = ev[j + 1];
                curT1 = ev[j + 2];
                curWhy = d.parkReason(lane, k2);
            }
            if (curId != -1) {
                bar(b, d, curId, curX0, curX1, y, curT0 - t0, curT1 - t0, curWhy);
            }
            b.append("</g>\n");
            if (b.length() > (1 << 16)) {
                out.append(b);
                b.setLength(0);
            }
        }
        // Source lanes: a grey tick per wake-up made off the carriers (one per pixel column).
        for (int k = 0; k < sources.size(); k++) {
            int src = sources.get(k);
            int y = laneTop(lanes.size() + k);
            b.append("<text x=\"").append(LEFT - 8).append("\" y=\"").append(y + LANE_HEIGHT / 2 + 4)
                    .append("\" text-anchor=\"end\" fill=\"#555\">").append(TraceEvent.sourceName(src))
                    .append("</text><rect x=\"").append(LEFT).append("\" y=\"").append(y).append("\" width=\"")
                    .append((int) plot).append("\" height=\"").append(LANE_HEIGHT).append("\" fill=\"")
                    .append(SOURCE_BACKGROUND).append("\"/>\n<g shape-rendering=\"crispEdges\" fill=\"")
                    .append(SOURCE_TICK).append("\">\n");
            java.util.BitSet ticked = new java.util.BitSet(WIDTH);
            for (int lane = d.tickerLane(); lane < d.lanes().length; lane++) {
                long[] ev = d.lanes()[lane];
                for (int k2 = 0; k2 < d.counts()[lane]; k2++) {
                    int j = k2 * TraceRing.LONGS;
                    if (TraceEvent.type(ev[j]) != TraceEvent.WAKE_FROM || TraceEvent.found(ev[j]) != src) {
                        continue;
                    }
                    int px = (int) Math.floor(LEFT + (ev[j + 1] - t0) * scale);
                    if (px >= 0 && px < WIDTH && !ticked.get(px)) {
                        ticked.set(px);
                        b.append("<rect x=\"").append(px).append("\" y=\"").append(y + 8)
                                .append("\" width=\"1\" height=\"").append(LANE_HEIGHT - 16).append("\"/>\n");
                    }
                }
            }
            b.append("</g>\n");
        }
        b.append(arrows);
        // The ticker's events, on the lane of the carrier they concern.
        int ticker = d.tickerLane();
        long[] tev = d.lanes()[ticker];
        for (int k = 0; k < d.counts()[ticker]; k++) {
            int j = k * TraceRing.LONGS;
            int type = TraceEvent.type(tev[j]);
            int pos = lanes.indexOf((int) tev[j + 2]);
            if (pos < 0 || (type != TraceEvent.PREEMPT && type != TraceEvent.STALL)) {
                continue;
            }
            double x = LEFT + (tev[j + 1] - t0) * scale;
            int y = laneTop(pos);
            if (type == TraceEvent.PREEMPT) {
                b.append("<rect x=\"").append(fmt(x)).append("\" y=\"").append(y - 5)
                        .append("\" width=\"1.5\" height=\"5\" fill=\"#d00000\"><title>preemption request</title></rect>\n");
            } else {
                b.append("<rect x=\"").append(fmt(x)).append("\" y=\"").append(y - 5).append("\" width=\"3\" height=\"")
                        .append(LANE_HEIGHT + 5).append("\" fill=\"#7a0000\"><title>stall</title></rect>\n");
            }
        }
        // Time axis: about ten ticks at a round step.
        long step = niceStep(span / 10.0);
        b.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(axisY).append("\" x2=\"").append(LEFT + (int) plot)
                .append("\" y2=\"").append(axisY).append("\" stroke=\"#333\"/>\n");
        for (long t = 0; t <= span; t += step) {
            double x = LEFT + t * scale;
            b.append("<line x1=\"").append(fmt(x)).append("\" y1=\"").append(axisY).append("\" x2=\"").append(fmt(x))
                    .append("\" y2=\"").append(axisY + 5).append("\" stroke=\"#333\"/><text x=\"").append(fmt(x))
                    .append("\" y=\"").append(axisY + 18).append("\" text-anchor=\"middle\" fill=\"#333\">");
            esc(b, duration(t));
            b.append("</text>\n");
        }
        // Legend.
        for (int i = 0; i < legend.size(); i++) {
            long id = legend.get(i).getKey();
            int x = LEFT + (i % 3) * 360;
            int y = legendY + (i / 3) * 20;
            b.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"14\" height=\"14\" fill=\"")
                    .append(colorOf(id)).append("\"/><text x=\"").append(x + 20).append("\" y=\"").append(y + 12).append("\">");
            esc(b, d.label(id) + "  " + duration(legend.get(i).getValue()));
            b.append("</text>\n");
        }
        if (!drawnRows.isEmpty()) {
            threadSection(b, out, d, threadRows.size(), drawnRows, sectionY, rowsTop, scale);
        }
        b.append("</svg>\n</body></html>\n");
        out.append(b);
    }

    /** The per-green-thread section (class comment). */
    private static void threadSection(StringBuilder b, Appendable out, TraceData d, int all,
                                      List<GreenThreadView.Row> rows, int sectionY, int rowsTop, double scale)
            throws IOException {
        long t0 = d.startNanos();
        double plot = WIDTH - LEFT - RIGHT;
        b.append("<text x=\"").append(LEFT).append("\" y=\"").append(sectionY + 16)
                .append("\" font-size=\"14\" font-weight=\"bold\">");
        esc(b, all > rows.size()
                ? String.format(java.util.Locale.ROOT, "Green threads: the %d that ran longest of %,d (%,d more not drawn)",
                        rows.size(), all, all - rows.size())
                : String.format(java.util.Locale.ROOT, "Green threads: %,d", all));
        b.append("</text>\n");
        // Key: running (the thread's colour), runnable, parked.
        int ky = sectionY + 26;
        b.append("<rect x=\"").append(LEFT).append("\" y=\"").append(ky).append("\" width=\"10\" height=\"10\" fill=\"#777\"/>")
                .append("<text x=\"").append(LEFT + 14).append("\" y=\"").append(ky + 9)
                .append("\" fill=\"#555\">running (in its colour; hover: carrier)</text>")
                .append("<rect x=\"").append(LEFT + 260).append("\" y=\"").append(ky).append("\" width=\"10\" height=\"10\" fill=\"")
                .append(RUNNABLE).append("\"/><text x=\"").append(LEFT + 274).append("\" y=\"").append(ky + 9)
                .append("\" fill=\"#555\">runnable, waiting for a carrier</text>")
                .append("<rect x=\"").append(LEFT + 480).append("\" y=\"").append(ky + 3).append("\" width=\"10\" height=\"")
                .append(WAITING_HEIGHT).append("\" fill=\"").append(WAITING).append("\"/><text x=\"").append(LEFT + 494)
                .append("\" y=\"").append(ky + 9).append("\" fill=\"#555\">parked (hover: on what)</text>\n");
        b.append("<g id=\"green-threads\" data-top=\"").append(rowsTop).append("\" data-rows=\"").append(rows.size())
                .append("\">\n");
        for (int r = 0; r < rows.size(); r++) {
            GreenThreadView.Row row = rows.get(r);
            int y = rowsTop + r * (ROW_HEIGHT + ROW_GAP);
            String label = d.label(row.id());
            b.append("<text x=\"").append(LEFT - 8).append("\" y=\"").append(y + ROW_HEIGHT - 3)
                    .append("\" text-anchor=\"end\" font-size=\"10\"><title>");
            esc(b, label);
            b.append("</title>");
            esc(b, shortened(label));
            b.append("</text><rect x=\"").append(LEFT).append("\" y=\"").append(y).append("\" width=\"").append((int) plot)
                    .append("\" height=\"").append(ROW_HEIGHT).append("\" fill=\"").append(ROW_BACKGROUND)
                    .append("\"/>\n<g shape-rendering=\"crispEdges\">\n");
            // Parked first (thin), then runnable, then running on top.
            for (int state : new int[] {GreenThreadView.WAITING, GreenThreadView.RUNNABLE, GreenThreadView.RUNNING}) {
                GreenThreadView.Span first = null;
                double x0 = 0;
                double x1 = 0;
                long end = 0;
                int merged = 0;
                for (GreenThreadView.Span s : row.spans()) {
                    if (s.state() != state) {
                        continue;
                    }
                    double sx0 = LEFT + (s.begin() - t0) * scale;
                    double sx1 = LEFT + (s.end() - t0) * scale;
                    if (first != null && sx0 - x1 < 1.0) {
                        x1 = sx1;
                        end = s.end();
                        merged++;
                        continue;
                    }
                    if (first != null) {
                        span(b, d, row.id(), first, x0, x1, end, merged, y);
                    }
                    first = s;
                    x0 = sx0;
                    x1 = sx1;
                    end = s.end();
                    merged = 0;
                }
                if (first != null) {
                    span(b, d, row.id(), first, x0, x1, end, merged, y);
                }
            }
            b.append("</g>\n");
            if (b.length() > (1 << 16)) {
                out.append(b);
                b.setLength(0);
            }
        }
        b.append("</g>\n");
    }

    /** One drawn span of a thread's row: {@code first} and {@code merged} more of its state, up to {@code end}. */
    private static void span(StringBuilder b, TraceData d, long id, GreenThreadView.Span first, double x0, double x1,
                             long end, int merged, int y) {
        long t0 = d.startNanos();
        String fill;
        int top = y;
        int h = ROW_HEIGHT;
        String what;
        switch (first.state()) {
            case GreenThreadView.RUNNING -> {
                fill = colorOf(id);
                what = "running on " + d.laneNames()[first.lane()];
            }
            case GreenThreadView.RUNNABLE -> {
                fill = RUNNABLE;
                String cause = GreenThreadView.cause(d, first);
                what = "runnable" + (cause.isEmpty() ? "" : " (" + cause + ")");
            }
            default -> {
                fill = WAITING;
                top = y + (ROW_HEIGHT - WAITING_HEIGHT) / 2;
                h = WAITING_HEIGHT;
                String reason = d.parkReason(first.lane(), first.event());
                what = reason.isEmpty() ? "parked" : "parked on " + reason;
            }
        }
        b.append("<rect x=\"").append(fmt(x0)).append("\" y=\"").append(top).append("\" width=\"")
                .append(fmt(Math.max(1.0, x1 - x0))).append("\" height=\"").append(h).append("\" fill=\"").append(fill)
                .append("\"><title>");
        esc(b, d.label(id) + ": " + what + ", " + duration(first.begin() - t0) + " .. " + duration(end - t0)
                + (merged > 0 ? " (and " + merged + " more within a pixel)" : ""));
        b.append("</title></rect>\n");
    }

    private static void bar(StringBuilder b, TraceData d, long id, double x0, double x1, int y, long t0, long t1,
                            String why) {
        b.append("<rect x=\"").append(fmt(x0)).append("\" y=\"").append(y + 3).append("\" width=\"")
                .append(fmt(Math.max(1.0, x1 - x0))).append("\" height=\"").append(LANE_HEIGHT - 6).append("\" fill=\"")
                .append(colorOf(id)).append("\"><title>");
        esc(b, d.label(id) + " " + duration(t0) + " .. " + duration(t1) + (why.isEmpty() ? "" : ", parked on " + why));
        b.append("</title></rect>\n");
    }

    /**
     * The source lanes the page draws below the carriers: SOURCE_ codes of
     * {@link TraceEvent} with at least one wake-up, in the order timer, io, outside.
     *
     * @param d the trace
     * @return the sources drawn
     */
    public static List<Integer> sourceLanes(TraceData d) {
        boolean[] used = new boolean[4];
        for (int lane = d.tickerLane(); lane < d.lanes().length; lane++) {
            long[] ev = d.lanes()[lane];
            for (int k = 0; k < d.counts()[lane]; k++) {
                long h = ev[k * TraceRing.LONGS];
                if (TraceEvent.type(h) == TraceEvent.WAKE_FROM && TraceEvent.found(h) > 0 && TraceEvent.found(h) < 4) {
                    used[TraceEvent.found(h)] = true;
                }
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int src = 1; src < 4; src++) {
            if (used[src]) {
                out.add(src);
            }
        }
        return out;
    }

    /**
     * Draws the wake-up arrows into {@code b} (see the class comment).
     *
     * @return {arrows drawn, wake-ups whose both ends are in the trace}
     */
    private static int[] arrows(TraceData d, List<Integer> lanes, List<Integer> sources, double scale, StringBuilder b) {
        long t0 = d.startNanos();
        WakeMatch match = WakeMatch.of(d);
        Set<Long> drawn = new HashSet<>();
        int[] count = new int[2];
        for (int pos = 0; pos < lanes.size(); pos++) {
            int lane = lanes.get(pos);
            long[] ev = d.lanes()[lane];
            int n = d.counts()[lane];
            for (int k = 0; k < n; k++) {
                int j = k * TraceRing.LONGS;
                int type = TraceEvent.type(ev[j]);
                if (type != TraceEvent.WAKE && type != TraceEvent.SPAWN) {
                    continue;
                }
                WakeMatch.Wake wake = match.wake(lane, k);
                WakeMatch.Slice target = match.target(lane, k);
                if (wake == null || wake.waker() < 0) {
                    continue;
                }
                int tPos = target == null ? -1 : lanes.indexOf(target.lane());
                if (tPos < 0) {
                    continue;
                }
                count[1]++;
                long tBegin = target.begin();
                double xs = LEFT + (Math.min(ev[wake.waker() * TraceRing.LONGS + 2], tBegin) - t0) * scale;
                double xt = LEFT + (tBegin - t0) * scale;
                arrow(b, d, drawn, count, xs, pos, xt, tPos, type == TraceEvent.SPAWN ? "spawn" : "wake",
                        d.label(ev[j + 2]), d.label(ev[j + 3]));
            }
        }
        for (int lane = d.tickerLane(); lane < d.lanes().length; lane++) {
            long[] ev = d.lanes()[lane];
            for (int k = 0; k < d.counts()[lane]; k++) {
                int j = k * TraceRing.LONGS;
                if (TraceEvent.type(ev[j]) != TraceEvent.WAKE_FROM) {
                    continue;
                }
                int sPos = sources.indexOf(TraceEvent.found(ev[j]));
                WakeMatch.Slice target = match.target(lane, k);
                int tPos = target == null ? -1 : lanes.indexOf(target.lane());
                if (sPos < 0 || tPos < 0) {
                    continue;
                }
                count[1]++;
                double xs = LEFT + (ev[j + 1] - t0) * scale;
                double xt = LEFT + (target.begin() - t0) * scale;
                arrow(b, d, drawn, count, xs, lanes.size() + sPos, xt, tPos,
                        TraceEvent.ended(ev[j]) == 1 ? "spawn" : "wake", TraceEvent.sourceName(TraceEvent.found(ev[j])),
                        d.label(ev[j + 3]));
            }
        }
        return count;
    }

    /** One arrow from lane position {@code from} at {@code xs} to the bar at {@code xt} on lane position {@code to}. */
    private static void arrow(StringBuilder b, TraceData d, Set<Long> drawn, int[] count, double xs, int from, double xt,
                              int to, String what, String waker, String woken) {
        if (count[0] >= MAX_ARROWS) {
            return;
        }
        double ys;
        double yt;
        if (from == to) {
            if (xt - xs < MIN_ARROW) {
                return;
            }
            ys = yt = laneTop(to) + LANE_HEIGHT / 2.0;
        } else {
            ys = laneTop(from) + LANE_HEIGHT / 2.0;
            yt = to > from ? laneTop(to) + 3 : laneTop(to) + LANE_HEIGHT - 3;
        }
        long key = Math.round(xs) << 48 | Math.round(ys) << 32 | Math.round(xt) << 16 | Math.round(yt);
        if (!drawn.add(key)) {
            return;
        }
        count[0]++;
        double dx = xt - xs;
        double dy = yt - ys;
        double len = Math.max(1e-9, Math.hypot(dx, dy));
        double ux = dx / len;
        double uy = dy / len;
        double head = Math.min(7, len);
        double bx = xt - ux * head;
        double by = yt - uy * head;
        b.append("<g><title>");
        esc(b, what + ": " + waker + " \u2192 " + woken);
        b.append("</title><line x1=\"").append(fmt(xs)).append("\" y1=\"").append(fmt(ys)).append("\" x2=\"")
                .append(fmt(bx)).append("\" y2=\"").append(fmt(by)).append("\" stroke=\"").append(ARROW)
                .append("\" stroke-width=\"1.2\"/><polygon points=\"").append(fmt(xt)).append(',').append(fmt(yt))
                .append(' ').append(fmt(bx - uy * 3.5)).append(',').append(fmt(by + ux * 3.5)).append(' ')
                .append(fmt(bx + uy * 3.5)).append(',').append(fmt(by - ux * 3.5)).append("\" fill=\"").append(ARROW)
                .append("\"/></g>\n");
    }

    /**
     * A row's label as drawn: up to 20 chars whole, else its first 19 and an ellipsis, cut
     * before a surrogate pair rather than inside it (half a pair cannot be encoded in the
     * page's UTF-8: writing it to a file threw MalformedInputException).
     */
    static String shortened(String label) {
        if (label.length() <= 20) {
            return label;
        }
        int cut = Character.isHighSurrogate(label.charAt(18)) ? 18 : 19;
        return label.substring(0, cut) + "\u2026";
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    /** A round step (1, 2 or 5 times a power of ten nanoseconds) at least {@code raw}. */
    private static long niceStep(double raw) {
        long p = 1;
        while (true) {
            for (long m : new long[] {1, 2, 5}) {
                if (p * m >= raw) {
                    return Math.max(1, p * m);
                }
            }
            p *= 10;
        }
    }

    private static String duration(long ns) {
        if (ns >= 1_000_000_000L) {
            return String.format(java.util.Locale.ROOT, "%.3g s", ns / 1e9);
        }
        if (ns >= 1_000_000L) {
            return String.format(java.util.Locale.ROOT, "%.3g ms", ns / 1e6);
        }
        if (ns >= 1_000L) {
            return String.format(java.util.Locale.ROOT, "%.3g µs", ns / 1e3);
        }
        return ns + " ns";
    }

    private static void esc(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> {
                    if (Character.isSurrogate(c)) {
                        i = appendCodePoint(b, s, i);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
    }

    /**
     * Appends the character at {@code i} of {@code s}, a surrogate: a whole pair as it is, half
     * a pair (a name cut inside a character) as U+FFFD, which UTF-8 can encode (the file
     * writers' encoder threw MalformedInputException on it, leaving the file half written).
     *
     * @param b where to append
     * @param s the text
     * @param i the index of a surrogate in {@code s}
     * @return the index of the last char consumed
     */
    static int appendCodePoint(StringBuilder b, String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            b.append(c).append(s.charAt(i + 1));
            return i + 1;
        }
        b.append('\uFFFD');
        return i;
    }
}
