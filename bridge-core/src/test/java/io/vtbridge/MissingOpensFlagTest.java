package io.vtbridge;

import io.vtbridge.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs a bridge in a fresh JVM started without --add-opens, as a user who forgot it would. */
@Timeout(120)
class MissingOpensFlagTest {

    /** The child JVM's main: build a bridge, print what happened, exit 3 on the expected error. */
    public static void main(String[] args) {
        try (Bridge bridge = Bridge.builder().shards(1).build()) {
            System.out.println("built " + bridge);
            System.exit(0);
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage());
            System.exit(3);
        }
    }

    @Test
    void buildFailsWithAMessageNamingTheFlag() throws Exception {
        ChildJvm.Result child = ChildJvm.of(MissingOpensFlagTest.class).run();
        assertThat(child.exitCode()).as("child output: %s", child.output()).isEqualTo(3);
        assertThat(child.output()).contains("--add-opens java.base/java.lang=ALL-UNNAMED");
    }

    @Test
    void theSameChildSucceedsWithTheFlag() throws Exception {
        ChildJvm.Result child = ChildJvm.of(MissingOpensFlagTest.class).flags(ChildJvm.OPENS).run();
        assertThat(child.exitCode()).as("child output: %s", child.output()).isZero();
        assertThat(child.output()).contains("built Bridge[");
    }
}
