package io.verdant;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thread names outside plain ASCII in the files a trace writes: the HTML page
 * shortens a long name in the green-thread rows, and must not cut it inside a
 * character (a UTF-16 surrogate pair), which a UTF-8 file cannot hold; a name
 * that holds half a pair already is written with U+FFFD in its place.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TraceNamesEscapingTest {

    @Test
    void aLongNameWithAnEmojiWhereTheHtmlShortensItIsWrittenWhole(@TempDir Path dir) throws Exception {
        // The page shows labels ("name <pid>") longer than 20 chars as their first 19 and an ellipsis;
        // here chars 18 and 19 are the two halves of U+1F600.
        String name = "x".repeat(18) + "\uD83D\uDE00 worker";
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("trace-emoji").build())) {
            TraceRecording trace = rt.startTrace();
            rt.spawner().name(name).spawn(() -> {
                for (int i = 0; i < 3; i++) {
                    Green.yield();
                }
            }).join(Duration.ofSeconds(20));
            trace.stop();
            Path html = dir.resolve("trace.html");
            trace.writeHtml(html);
            String page = Files.readString(html, StandardCharsets.UTF_8);
            assertThat(page).contains(name).doesNotContain("\uFFFD");
            Path json = dir.resolve("trace.json");
            trace.writeChromeJson(json);
            JsonNode root = new ObjectMapper().readTree(Files.readString(json, StandardCharsets.UTF_8));
            assertThat(root.toString()).contains(name);
        }
    }

    @Test
    void aNameCutInsideACharacterIsWrittenToBothFilesAsAReplacementCharacter(@TempDir Path dir) throws Exception {
        // An application that cuts names to a length can cut inside a surrogate pair: here half of U+1F600.
        String name = "half \uD83D cut";
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("trace-half-pair").build())) {
            TraceRecording trace = rt.startTrace();
            rt.spawner().name(name).spawn(() -> {
                for (int i = 0; i < 3; i++) {
                    Green.yield();
                }
            }).join(Duration.ofSeconds(20));
            trace.stop();
            Path json = dir.resolve("trace.json");
            trace.writeChromeJson(json);
            JsonNode root = new ObjectMapper().readTree(Files.readString(json, StandardCharsets.UTF_8));
            assertThat(root.findValuesAsText("name")).anyMatch(n -> n.startsWith("half \uFFFD cut <"));
            Path html = dir.resolve("trace.html");
            trace.writeHtml(html);
            assertThat(Files.readString(html, StandardCharsets.UTF_8)).contains("half \uFFFD cut &lt;")
                    .endsWith("</html>\n");
        }
    }

    @Test
    void namesWithQuotesControlCharactersAndMarkupStayText() throws Exception {
        String name = "q\"\\ \u0001\n\t</svg><script>alert(1)</script> &amp; \u2028 \u00e9";
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("n\"</title><script>").build())) {
            TraceRecording trace = rt.startTrace();
            GreenHandle<Object> h = rt.spawner().name(name).spawn(() -> {
                Green.yield();
                return Green.receive();
            });
            while (h.state() != GreenState.WAITING) {
                Thread.onSpinWait();
            }
            StringBuilder dump = new StringBuilder();
            rt.dump(dump, DumpOptions.json().stacks(true));
            JsonNode d = new ObjectMapper().readTree(dump.toString());
            assertThat(d.at("/verdantDump/runtime").asText()).isEqualTo("n\"</title><script>");
            assertThat(d.at("/verdantDump/threads").findValuesAsText("name")).contains(name);
            trace.stop();
            StringBuilder html = new StringBuilder();
            trace.writeHtml(html);
            assertThat(html.toString()).doesNotContain("<script>").doesNotContain("</svg><script");
            StringBuilder json = new StringBuilder();
            trace.writeChromeJson(json);
            assertThat(new ObjectMapper().readTree(json.toString()).findValuesAsText("name"))
                    .anyMatch(n -> n.startsWith(name));
            rt.run(() -> Green.send(h.pid(), "done"));
            h.join(Duration.ofSeconds(20));
        }
    }
}
