package io.verdant.examples;

import io.verdant.Verdant;
import org.junit.jupiter.api.Test;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documentation does not rot: every {@code ```java} block of README.md,
 * docs/*.md and the modules' README.md compiles against the project's classes,
 * and every link in README.md and docs/*.md is relative and names a file that
 * exists.
 *
 * <p>A block is either a complete compilation unit (it starts with {@code package},
 * {@code import} or a top-level type declaration) or statements and local
 * declarations, compiled as the body of {@code static void snippet() throws Exception}
 * in a class that imports {@code io.verdant.*}, {@code java.time.*}, {@code java.util.*},
 * {@code java.util.concurrent.*} and {@code java.util.function.*}. The class path is the
 * core's classes and this test's own (so a complete unit may import {@code io.verdant.test}
 * and JUnit). A failure names the Markdown file and the line in it.
 */
class DocSnippetsTest {
    private static final Pattern FENCE = Pattern.compile("^(\\s*)```(\\S*)\\s*$");
    private static final Pattern UNIT_START = Pattern.compile(
            "^(package|import)\\s.*|^((public|final|abstract|sealed|non-sealed)\\s+)*(class|interface|record|enum|@interface)\\s.*");
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "(?m)^public\\s+(?:(?:final|abstract|sealed|non-sealed)\\s+)*(?:class|interface|record|enum)\\s+(\\w+)");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final String IMPORTS = "import io.verdant.*; import java.time.*; import java.util.*; "
            + "import java.util.concurrent.*; import java.util.function.*;";

    /** One ```java block: where it is and its text. */
    record Block(Path file, int line, String code) {
    }

    /** A block made into a source file: which block, and the line of the file where the block starts. */
    record Unit(Block block, int firstLine, String path, String source) {
    }

    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("verdant-core"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("repository root not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    static List<Path> markdown(boolean withModules) throws IOException {
        Path root = root();
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("README.md"));
        Path docs = root.resolve("docs");
        if (Files.isDirectory(docs)) {
            try (Stream<Path> s = Files.list(docs)) {
                s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
            }
        }
        if (withModules) {
            try (Stream<Path> s = Files.list(root)) {
                s.map(p -> p.resolve("README.md")).filter(Files::isRegularFile).sorted().forEach(files::add);
            }
        }
        return files;
    }

    static List<Block> blocks(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = FENCE.matcher(lines.get(i));
            if (!m.matches()) {
                continue;
            }
            String lang = m.group(2).toLowerCase(Locale.ROOT);
            int start = i + 1;
            StringBuilder code = new StringBuilder();
            for (i = start; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
                code.append(lines.get(i)).append('\n');
            }
            if (lang.equals("java")) {
                out.add(new Block(file, start + 1, code.toString()));
            }
        }
        return out;
    }

    static Unit unit(Block b, int index) {
        String code = b.code();
        String first = code.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("//") && !l.startsWith("/*") && !l.startsWith("*"))
                .findFirst().orElse("");
        String pkg = "snippet" + index;
        if (UNIT_START.matcher(first).matches()) {
            Matcher p = PACKAGE.matcher(code);
            String source = code;
            int firstLine = 1;
            if (p.find()) {
                pkg = p.group(1);
            } else {
                source = "package " + pkg + ";\n" + code;
                firstLine = 2;
            }
            Matcher t = PUBLIC_TYPE.matcher(code);
            String name = t.find() ? t.group(1) : "Unit";
            return new Unit(b, firstLine, pkg.replace('.', '/') + "/" + name + ".java", source);
        }
        String source = "package " + pkg + ";\n" + IMPORTS + "\nclass Snippet {\nstatic void snippet() throws Exception {\n"
                + code + "}\n}\n";
        return new Unit(b, 5, pkg + "/Snippet.java", source);
    }

    @Test
    void everyJavaBlockInTheDocsCompiles() throws Exception {
        List<Unit> units = new ArrayList<>();
        for (Path md : markdown(true)) {
            for (Block b : blocks(md)) {
                units.add(unit(b, units.size()));
            }
        }
        assertThat(units).as("java blocks in README.md and docs/").isNotEmpty();

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<URI, Unit> byUri = new HashMap<>();
        List<JavaFileObject> sources = new ArrayList<>();
        for (Unit u : units) {
            URI uri = URI.create("string:///" + u.path());
            byUri.put(uri, u);
            sources.add(new SimpleJavaFileObject(uri, JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return u.source();
                }
            });
        }
        Path classes = Path.of(Verdant.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path out = Files.createTempDirectory("doc-snippets");
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            // The core's classes first, then this test's class path: verdant-test and the JUnit API,
            // for snippets that show @VerdantTest (complete units that import io.verdant.test).
            String classpath = classes + java.io.File.pathSeparator + System.getProperty("java.class.path");
            List<String> options = List.of("--release", "25", "-proc:none", "-implicit:none",
                    "-classpath", classpath, "-d", out.toString());
            boolean ok = javac.getTask(null, files, diagnostics, options, null, sources).call();
            List<String> errors = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() != Diagnostic.Kind.ERROR) {
                    continue;
                }
                Unit u = d.getSource() == null ? null : byUri.get(d.getSource().toUri());
                String where = u == null ? "?" : root().relativize(u.block().file()) + ":"
                        + (u.block().line() + d.getLineNumber() - u.firstLine());
                errors.add(where + ": " + d.getMessage(Locale.ROOT));
            }
            assertThat(errors).as("compilation errors of ```java blocks (file:line)").isEmpty();
            assertThat(ok).isTrue();
        }
    }

    @Test
    void everyLinkInTheDocsIsRelativeAndResolves() throws Exception {
        List<String> bad = new ArrayList<>();
        for (Path md : markdown(true)) {
            List<String> lines = Files.readAllLines(md);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = LINK.matcher(lines.get(i));
                while (m.find()) {
                    String target = m.group(1);
                    String where = root().relativize(md) + ":" + (i + 1) + ": " + target;
                    if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                        bad.add(where + " (points outside the repository)");
                        continue;
                    }
                    String path = target.replaceFirst("#.*$", "");
                    if (!path.isEmpty() && !Files.exists(md.getParent().resolve(path).normalize())) {
                        bad.add(where + " (no such file)");
                    }
                }
            }
        }
        assertThat(bad).as("links in README.md and docs/").isEmpty();
    }
}
