package io.verdant.examples;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The release configuration, checked where {@code mvn test} (CI) sees it: the licence,
 * one version everywhere, sources and javadoc jars for the published modules (whose
 * existence after {@code package} the enforcer rule {@code release-artifacts-exist}
 * checks), and no deployment of the examples and benchmarks.
 */
class ReleaseBuildTest {
    private static final List<String> PUBLISHED = List.of("verdant-core", "verdant-agent", "verdant-test");
    private static final List<String> UNPUBLISHED = List.of("verdant-examples", "verdant-bench");

    private static Element pom(String module) throws Exception {
        Path root = DocSnippetsTest.root();
        Path file = module.isEmpty() ? root.resolve("pom.xml") : root.resolve(module).resolve("pom.xml");
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        return d.getDocumentElement();
    }

    private static Element child(Element e, String name) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    private static String text(Element e, String... path) {
        Element cur = e;
        for (String p : path) {
            cur = cur == null ? null : child(cur, p);
        }
        return cur == null ? null : cur.getTextContent().strip();
    }

    private static List<String> buildPlugins(Element pom) {
        List<String> ids = new ArrayList<>();
        Element plugins = child(child(pom, "build") == null ? pom : child(pom, "build"), "plugins");
        if (plugins != null) {
            NodeList list = plugins.getElementsByTagName("artifactId");
            for (int i = 0; i < list.getLength(); i++) {
                ids.add(list.item(i).getTextContent().strip());
            }
        }
        return ids;
    }

    @Test
    void licenceAndMetadataAreThere() throws Exception {
        Path root = DocSnippetsTest.root();
        assertThat(Files.readString(root.resolve("LICENSE"))).contains("Apache License", "Version 2.0, January 2004",
                "END OF TERMS AND CONDITIONS");
        assertThat(root.resolve("NOTICE")).exists();
        Element parent = pom("");
        assertThat(text(parent, "licenses", "license", "name")).isEqualTo("Apache License, Version 2.0");
        for (String tag : List.of("name", "description", "url", "scm", "developers", "issueManagement")) {
            assertThat(child(parent, tag)).as(tag).isNotNull();
        }
    }

    @Test
    void everyModuleHasTheParentsVersion() throws Exception {
        String version = text(pom(""), "version");
        assertThat(version).matches("\\d+\\.\\d+\\.\\d+");
        for (String m : List.of("verdant-core", "verdant-agent", "verdant-test", "verdant-examples", "verdant-bench")) {
            assertThat(text(pom(m), "parent", "version")).as(m).isEqualTo(version);
        }
    }

    @Test
    void publishedModulesAttachSourcesAndJavadocAndCheckThem() throws Exception {
        for (String m : PUBLISHED) {
            assertThat(buildPlugins(pom(m))).as(m)
                    .contains("maven-source-plugin", "maven-javadoc-plugin", "maven-enforcer-plugin");
            assertThat(text(pom(m), "properties", "maven.deploy.skip")).as(m).isNull();
        }
    }

    @Test
    void examplesAndBenchmarksAreNotDeployed() throws Exception {
        for (String m : UNPUBLISHED) {
            assertThat(text(pom(m), "properties", "maven.deploy.skip")).as(m).isEqualTo("true");
            assertThat(buildPlugins(pom(m))).as(m).doesNotContain("maven-source-plugin", "maven-javadoc-plugin");
        }
    }
}
