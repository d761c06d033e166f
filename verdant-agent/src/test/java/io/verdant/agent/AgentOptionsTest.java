package io.verdant.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class AgentOptionsTest {
    @Test
    void defaultsIncludeEverythingButTheNeverList() {
        AgentOptions o = AgentOptions.parse(null);
        assertThat(o.include()).containsExactly("**");
        assertThat(o.exclude()).isEmpty();
        assertThat(o.entry()).isFalse();
        assertThat(o.selects("com/acme/Foo")).isTrue();
        assertThat(o.selects("Foo")).isTrue();
        assertThat(AgentOptions.parse("  ").include()).containsExactly("**");
    }

    @Test
    void theJdkAndVerdantAreNeverSelected() {
        AgentOptions o = AgentOptions.parse("include=**,java.**,io.verdant.**");
        for (String name : new String[] {"java/lang/String", "javax/swing/JFrame", "jdk/internal/misc/Unsafe",
                "sun/misc/Unsafe", "com/sun/tools/javac/Main", "io/verdant/Green",
                "io/verdant/internal/sched/Worker", "io/verdant/agent/VerdantAgent"}) {
            assertThat(o.selects(name)).as(name).isFalse();
        }
        assertThat(o.selects("io/verdantx/Foo")).isTrue();
        assertThat(o.selects("javafoo/Bar")).isTrue();
    }

    @Test
    void singleStarStaysInOnePackageDoubleStarDescends() {
        AgentOptions o = AgentOptions.parse("include=com.acme.*,org.lib.**");
        assertThat(o.selects("com/acme/Foo")).isTrue();
        assertThat(o.selects("com/acme/Foo$1")).isTrue();
        assertThat(o.selects("com/acme/sub/Foo")).isFalse();
        assertThat(o.selects("com/acmex/Foo")).isFalse();
        assertThat(o.selects("org/lib/Foo")).isTrue();
        assertThat(o.selects("org/lib/a/b/Foo$Bar")).isTrue();
        assertThat(o.selects("org/library/Foo")).isFalse();
        assertThat(o.selects("org/Foo")).isFalse();
    }

    @Test
    void excludeWinsOverIncludeAndCoversNestedClasses() {
        AgentOptions o = AgentOptions.parse("include=com.acme.**,org.lib.*;exclude=com.acme.hot.*,com.acme.Parser;entry=true");
        assertThat(o.entry()).isTrue();
        assertThat(o.selects("com/acme/cold/Foo")).isTrue();
        assertThat(o.selects("com/acme/hot/Foo")).isFalse();
        assertThat(o.selects("com/acme/hot/deeper/Foo")).isTrue();
        assertThat(o.selects("com/acme/Parser")).isFalse();
        assertThat(o.selects("com/acme/Parser$Lexer")).isFalse();
        assertThat(o.selects("com/acme/Parser$1")).isFalse();
        assertThat(AgentOptions.parse("include=com.acme.**;exclude=com.acme.Parser").selects("com/acme/ParserFactory"))
                .isTrue();
        assertThat(o.selects("org/lib/X")).isTrue();
    }

    @Test
    void wildcardsInsideNames() {
        AgentOptions o = AgentOptions.parse("include=com.acme.*Service,com.**.impl.*");
        assertThat(o.selects("com/acme/UserService")).isTrue();
        assertThat(o.selects("com/acme/UserService$Cache")).isTrue();
        assertThat(o.selects("com/acme/UserServiceImpl")).isFalse();
        assertThat(o.selects("com/x/y/impl/Thing")).isTrue();
    }

    @Test
    void whitespaceAndEmptyOptionsAreTolerated() {
        AgentOptions o = AgentOptions.parse(" include = com.acme.* , org.x.** ;; entry = TRUE ; verbose=false;");
        assertThat(o.include()).containsExactly("com.acme.*", "org.x.**");
        assertThat(o.entry()).isTrue();
        assertThat(o.skipCounted()).isFalse();
        assertThat(AgentOptions.parse("skipCounted=true").skipCounted()).isTrue();
        assertThat(o.verbose()).isFalse();
        assertThat(o.toString()).isEqualTo("include=com.acme.*,org.x.**;entry=true;verbose=false");
    }

    @Test
    void badArgumentsFailFastNamingTheOption() {
        assertThatThrownBy(() -> AgentOptions.parse("includes=com.*"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option 'includes'");
        assertThatThrownBy(() -> AgentOptions.parse("entry=yes"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entry must be true or false");
        assertThatThrownBy(() -> AgentOptions.parse("include=com.acme.*,"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty pattern");
        assertThatThrownBy(() -> AgentOptions.parse("include=com/acme/*"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad character '/'");
        assertThatThrownBy(() -> AgentOptions.parse("com.acme.*"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no '='");
    }
}
