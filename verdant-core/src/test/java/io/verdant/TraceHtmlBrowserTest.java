package io.verdant;

import static org.assertj.core.api.Assertions.assertThat;

import io.verdant.internal.Pids;
import io.verdant.internal.obs.TraceHtml;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML trace view, drawn by a real browser: Debian's headless
 * {@code chromium} takes a screenshot of the page and the test counts the
 * pixels of the lanes and of the slices' colours. Skipped, saying why, where
 * no chromium is installed and none can be installed (apt-get as root).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TraceHtmlBrowserTest {
    private static final long BROWSER_SECONDS = 90;
    /** The screenshot's height: the carriers, the legend and a few green-thread rows. */
    private static final int WINDOW_HEIGHT = 1000;

    @TempDir
    Path dir;

    @Test
    void chromiumDrawsOneLanePerCarrierWithTheSlicesInTheirThreadsColoursAndWakeArrowsAndAGreenThreadRowEach()
            throws Exception {
        String chromium = findOrInstallChromium();
        Assumptions.assumeTrue(chromium != null,
                "no chromium: install Debian's 'chromium' package (apt-get install -y chromium) to run the browser test");

        Pid[] spinners = new Pid[2];
        Path html = dir.resolve("trace.html");
        // No spare carriers: the pixel checks below assume exactly two carrier lanes above the
        // timer and outside lanes. On a loaded machine the OS can hold a spinner's 8 ms loop off
        // its core past Sysmon's 100 ms stall threshold; a spare carrier then took over the queued
        // work and drew a third carrier lane, which moved the source lanes (and their arrows)
        // below where the test looked (17 "stray" arrow pixels, in a loaded run).
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).name("trace-html").build())) {
            TraceRecording trace = rt.startTrace();
            rt.run(() -> {
                List<GreenHandle<Long>> hs = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    hs.add(Green.spawner().name("spin-" + (char) ('a' + t)).spawn(() -> {
                        long x = 0;
                        for (int round = 0; round < 4; round++) {
                            long end = System.nanoTime() + Duration.ofMillis(8).toNanos();
                            while (System.nanoTime() < end) {
                                x++;
                            }
                            Green.sleep(Duration.ofMillis(4));
                        }
                        return x;
                    }));
                }
                spinners[0] = hs.get(0).pid();
                spinners[1] = hs.get(1).pid();
                // A ping-pong pair in between: many short slices.
                Channel<Integer> ping = Channel.rendezvous();
                Channel<Integer> pong = Channel.rendezvous();
                GreenHandle<Void> echo = Green.spawner().name("echo").spawn(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        pong.send(ping.receive());
                    }
                });
                for (int i = 0; i < 2_000; i++) {
                    ping.send(i);
                    pong.receive();
                }
                echo.join();
                for (GreenHandle<Long> h : hs) {
                    h.join();
                }
                return null;
            });
            trace.stop();
            trace.writeHtml(html);
        }
        String page = Files.readString(html, StandardCharsets.UTF_8);
        // Self-contained: no script, nothing to fetch (the only URL is the SVG namespace name).
        assertThat(page).contains("<svg").doesNotContain("<script").doesNotContain(" src=").doesNotContain("href=");
        assertThat(page.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http://").doesNotContain("https://");

        // Wake-up arrows: the spinners' sleeps come from the timer lane, drawn below the carriers.
        int arrowHeads = count(page, "<polygon");
        assertThat(count(page, "fill=\"" + TraceHtml.ARROW + "\"/></g>")).isEqualTo(arrowHeads);
        assertThat(arrowHeads).as("arrows in the page").isGreaterThanOrEqualTo(4).isLessThanOrEqualTo(TraceHtml.MAX_ARROWS);
        assertThat(count(page, "<line")).isGreaterThanOrEqualTo(arrowHeads);
        assertThat(page).contains(">timer</text>").contains("wake: timer \u2192 spin-a");
        // The green-thread section: where its rows begin, and how many.
        java.util.regex.Matcher section = java.util.regex.Pattern
                .compile("<g id=\"green-threads\" data-top=\"(\\d+)\" data-rows=\"(\\d+)\"").matcher(page);
        assertThat(section.find()).as("the green-thread section").isTrue();
        int rowsTop = Integer.parseInt(section.group(1));
        int rows = Integer.parseInt(section.group(2));
        // spin-a, spin-b, echo and the root thread at least.
        assertThat(rows).isGreaterThanOrEqualTo(4).isLessThanOrEqualTo(TraceHtml.MAX_THREAD_ROWS);
        int rowsBottom = rowsTop + rows * (TraceHtml.ROW_HEIGHT + TraceHtml.ROW_GAP);
        assertThat(rowsBottom).as("the rows fit the screenshot").isLessThan(WINDOW_HEIGHT);

        Path png = dir.resolve("trace.png");
        Path profile = Files.createDirectory(dir.resolve("profile"));
        List<String> cmd = List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--hide-scrollbars", "--user-data-dir=" + profile, "--screenshot=" + png, "--window-size=1200," + WINDOW_HEIGHT,
                html.toUri().toString());
        Path log = dir.resolve("chromium.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(BROWSER_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Assumptions.abort("chromium did not finish within " + BROWSER_SECONDS + " s (machine too loaded?)");
        }
        Assumptions.assumeTrue(Files.isRegularFile(png) && Files.size(png) > 0,
                () -> "chromium ran but wrote no screenshot (exit " + p.exitValue() + "): " + tail(log));
        Files.createDirectories(Path.of("target"));
        Files.copy(png, Path.of("target", "trace-screenshot.png"), StandardCopyOption.REPLACE_EXISTING);

        Png img = Png.read(png);
        assertThat(img.getWidth()).isGreaterThanOrEqualTo(TraceHtml.WIDTH);
        int lane = rgb(TraceHtml.LANE_BACKGROUND);
        int[] spin = {rgb(TraceHtml.colorOf(traceId(spinners[0]))), rgb(TraceHtml.colorOf(traceId(spinners[1])))};
        int[] spinPixels = new int[2];
        int outsideLanes = 0;
        for (int k = 0; k < 2; k++) {
            int top = TraceHtml.laneTop(k);
            int lanePixels = 0;
            for (int y = top; y < top + TraceHtml.LANE_HEIGHT; y++) {
                for (int x = TraceHtml.LEFT; x < TraceHtml.WIDTH - TraceHtml.RIGHT; x++) {
                    int c = img.getRGB(x, y) & 0xFFFFFF;
                    if (near(c, lane)) {
                        lanePixels++;
                    }
                }
            }
            // The lane is drawn: its background shows at least above and below the bars.
            assertThat(lanePixels).as("lane %d background pixels", k).isGreaterThan(2 * 1000);
        }
        int bottom = TraceHtml.laneTop(2);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int c = img.getRGB(x, y) & 0xFFFFFF;
                for (int i = 0; i < 2; i++) {
                    if (near(c, spin[i])) {
                        if (y < bottom) {
                            spinPixels[i]++;
                            if (!inLane(y)) {
                                outsideLanes++;
                            }
                        }
                    }
                }
            }
        }
        // Each spinner ran ~32 ms of a trace of ~50-100 ms quiet, up to ~1 s on a loaded machine
        // (seen: 1.03 s): at least ~30 pixels wide, 30 high, less what arrows cross.
        assertThat(spinPixels[0]).as("pixels in spin-a's colour").isGreaterThan(600);
        assertThat(spinPixels[1]).as("pixels in spin-b's colour").isGreaterThan(600);
        assertThat(outsideLanes).as("slice pixels outside the lanes").isZero();

        // The arrows are drawn: pixels in the arrow colour (no thread has it), all between the
        // first carrier lane and the bottom of the source lanes (timer, outside) below the carriers.
        int arrow = rgb(TraceHtml.ARROW);
        int arrowPixels = 0;
        int strayArrowPixels = 0;
        int sourcesBottom = TraceHtml.laneTop(4);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if (near(img.getRGB(x, y) & 0xFFFFFF, arrow)) {
                    arrowPixels++;
                    if (y < TraceHtml.laneTop(0) - 1 || y > sourcesBottom || x < TraceHtml.LEFT - 1) {
                        strayArrowPixels++;
                    }
                }
            }
        }
        assertThat(arrowPixels).as("pixels in the arrow colour").isGreaterThan(40);
        assertThat(strayArrowPixels).as("arrow pixels away from the lanes").isZero();

        // The green-thread rows are drawn: each row's background shows, the spinners' rows have
        // their running bars in their colours, and the section has runnable (amber) and parked
        // (grey, the spinners' sleeps) bars -- all inside the rows.
        int rowBg = rgb(TraceHtml.ROW_BACKGROUND);
        int runnable = rgb(TraceHtml.RUNNABLE);
        int waiting = rgb(TraceHtml.WAITING);
        int runnablePixels = 0;
        int waitingPixels = 0;
        int[] spinRowPixels = new int[2];
        int strayRowPixels = 0;
        int allBg = 0;
        for (int r = 0; r < rows; r++) {
            int top = rowsTop + r * (TraceHtml.ROW_HEIGHT + TraceHtml.ROW_GAP);
            int bg = 0;
            for (int y = top; y < top + TraceHtml.ROW_HEIGHT; y++) {
                for (int x = TraceHtml.LEFT; x < TraceHtml.WIDTH - TraceHtml.RIGHT; x++) {
                    int c = img.getRGB(x, y) & 0xFFFFFF;
                    if (near(c, rowBg)) {
                        bg++;
                    }
                }
            }
            // Drawn: its background shows at least before the thread's first span (a busy thread's
            // row can be nearly all bars).
            assertThat(bg).as("row %d background pixels", r).isGreaterThan(TraceHtml.ROW_HEIGHT * 5);
            allBg += bg;
        }
        assertThat(allBg).as("rows' background pixels").isGreaterThan(rows * TraceHtml.ROW_HEIGHT * 100);
        for (int y = rowsTop - 2; y < rowsBottom + 2 && y < img.getHeight(); y++) {
            boolean inRow = (y - rowsTop) >= 0 && (y - rowsTop) % (TraceHtml.ROW_HEIGHT + TraceHtml.ROW_GAP) < TraceHtml.ROW_HEIGHT;
            for (int x = TraceHtml.LEFT; x < TraceHtml.WIDTH - TraceHtml.RIGHT; x++) {
                int c = img.getRGB(x, y) & 0xFFFFFF;
                boolean drawn = false;
                if (near(c, runnable)) {
                    runnablePixels++;
                    drawn = true;
                } else if (near(c, waiting)) {
                    waitingPixels++;
                    drawn = true;
                } else {
                    for (int i = 0; i < 2; i++) {
                        if (near(c, spin[i])) {
                            spinRowPixels[i]++;
                            drawn = true;
                        }
                    }
                }
                if (drawn && !inRow) {
                    strayRowPixels++;
                }
            }
        }
        // Each spinner ran ~32 ms of the trace: its running bars are at least ~30 pixels wide, a row high.
        assertThat(spinRowPixels[0]).as("spin-a's running bars in its row").isGreaterThan(300);
        assertThat(spinRowPixels[1]).as("spin-b's running bars in its row").isGreaterThan(300);
        assertThat(runnablePixels).as("runnable bars").isGreaterThan(10);
        assertThat(waitingPixels).as("parked bars").isGreaterThan(40);
        assertThat(strayRowPixels).as("bar pixels between the rows").isZero();
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /**
     * A PNG decoder for what chromium writes: 8-bit RGB or RGBA, not interlaced
     * (the test runs in the io.verdant module, which does not read java.desktop,
     * so ImageIO is out of reach).
     */
    record Png(int width, int height, int[] argb) {
        int getWidth() {
            return width;
        }

        int getHeight() {
            return height;
        }

        int getRGB(int x, int y) {
            return argb[y * width + x];
        }

        static Png read(Path file) throws IOException, DataFormatException {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(Files.readAllBytes(file)));
            in.skipNBytes(8);
            int width = 0;
            int height = 0;
            int channels = 0;
            ByteArrayOutputStream idat = new ByteArrayOutputStream();
            while (true) {
                int len = in.readInt();
                String type = new String(in.readNBytes(4), StandardCharsets.ISO_8859_1);
                byte[] data = in.readNBytes(len);
                in.readInt(); // CRC
                if (type.equals("IHDR")) {
                    DataInputStream h = new DataInputStream(new java.io.ByteArrayInputStream(data));
                    width = h.readInt();
                    height = h.readInt();
                    int depth = h.readUnsignedByte();
                    int color = h.readUnsignedByte();
                    h.skipNBytes(2);
                    int interlace = h.readUnsignedByte();
                    if (depth != 8 || (color != 2 && color != 6) || interlace != 0) {
                        throw new IOException("unsupported PNG: depth " + depth + ", colour type " + color
                                + ", interlace " + interlace);
                    }
                    channels = color == 6 ? 4 : 3;
                } else if (type.equals("IDAT")) {
                    idat.write(data);
                } else if (type.equals("IEND")) {
                    break;
                }
            }
            int stride = width * channels;
            byte[] raw = new byte[height * (stride + 1)];
            Inflater inf = new Inflater();
            inf.setInput(idat.toByteArray());
            int got = 0;
            while (got < raw.length && !inf.finished()) {
                int n = inf.inflate(raw, got, raw.length - got);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                got += n;
            }
            inf.end();
            int[] argb = new int[width * height];
            byte[] prev = new byte[stride];
            byte[] cur = new byte[stride];
            for (int y = 0; y < height; y++) {
                int base = y * (stride + 1);
                int filter = raw[base];
                for (int i = 0; i < stride; i++) {
                    int x = raw[base + 1 + i] & 0xFF;
                    int a = i >= channels ? cur[i - channels] & 0xFF : 0;
                    int b = prev[i] & 0xFF;
                    int c = i >= channels ? prev[i - channels] & 0xFF : 0;
                    int v = switch (filter) {
                        case 0 -> x;
                        case 1 -> x + a;
                        case 2 -> x + b;
                        case 3 -> x + ((a + b) >>> 1);
                        case 4 -> {
                            int p = a + b - c;
                            int pa = Math.abs(p - a);
                            int pb = Math.abs(p - b);
                            int pc = Math.abs(p - c);
                            yield x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
                        }
                        default -> throw new IOException("bad PNG filter " + filter);
                    };
                    cur[i] = (byte) v;
                }
                for (int px = 0; px < width; px++) {
                    int o = px * channels;
                    argb[y * width + px] = 0xFF000000 | (cur[o] & 0xFF) << 16 | (cur[o + 1] & 0xFF) << 8 | cur[o + 2] & 0xFF;
                }
                byte[] t = prev;
                prev = cur;
                cur = t;
            }
            return new Png(width, height, argb);
        }
    }

    private static boolean inLane(int y) {
        for (int k = 0; k < 2; k++) {
            int top = TraceHtml.laneTop(k);
            if (y >= top && y < top + TraceHtml.LANE_HEIGHT) {
                return true;
            }
        }
        return false;
    }

    private static long traceId(Pid pid) {
        return (long) Pids.generation(pid) << 32 | (Pids.index(pid) + 1L);
    }

    private static int rgb(String hex) {
        return Integer.parseInt(hex.substring(1), 16);
    }

    /** Within 3 per channel: the browser may round colours. */
    private static boolean near(int a, int b) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs((a >> shift & 0xFF) - (b >> shift & 0xFF)) > 3) {
                return false;
            }
        }
        return true;
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(no output)";
        }
    }

    /** The chromium binary, installed with apt-get if missing and possible; null if there is none. */
    private static String findOrInstallChromium() throws InterruptedException {
        for (String c : new String[] {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
            if (new File(c).canExecute()) {
                return c;
            }
        }
        if (!"root".equals(System.getProperty("user.name")) || !new File("/usr/bin/apt-get").canExecute()) {
            return null;
        }
        try {
            Process p = new ProcessBuilder("apt-get", "install", "-y", "chromium").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
        } catch (IOException e) {
            return null;
        }
        return new File("/usr/bin/chromium").canExecute() ? "/usr/bin/chromium" : null;
    }
}
