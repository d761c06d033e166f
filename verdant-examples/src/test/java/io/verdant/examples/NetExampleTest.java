package io.verdant.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The network tour stop runs and prints what it shows. */
@Timeout(60)
class NetExampleTest {
    @Test
    void tourStopStartsTheServersMakesRequestsAndShutsDown() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            NetExample.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("GET / -> 200 Hello from Verdant", "GET /hello?name=tour -> 200 Hello, tour",
                "GET /missing -> 404", "POST /echo 'green' -> 200 green", "got 'hello, echo'",
                "Servers closed gracefully");
        // Both /conn requests went over one kept-alive connection, to one green thread.
        String[] conn = out.lines().filter(l -> l.contains("GET /conn")).toArray(String[]::new);
        assertThat(conn).hasSize(2);
        assertThat(conn[0]).isEqualTo(conn[1]);
    }
}
