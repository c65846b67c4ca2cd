package io.vtbridge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

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
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classpath = Path.of("target", "test-classes").toAbsolutePath() + File.pathSeparator
                + Path.of("target", "classes").toAbsolutePath();
        Process child = new ProcessBuilder(java, "-cp", classpath, MissingOpensFlagTest.class.getName())
                .redirectErrorStream(true)
                .start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("child output: %s", output).isEqualTo(3);
        assertThat(output).contains("--add-opens java.base/java.lang=ALL-UNNAMED");
    }

    @Test
    void theSameChildSucceedsWithTheFlag() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classpath = Path.of("target", "test-classes").toAbsolutePath() + File.pathSeparator
                + Path.of("target", "classes").toAbsolutePath();
        Process child = new ProcessBuilder(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-cp", classpath, MissingOpensFlagTest.class.getName())
                .redirectErrorStream(true)
                .start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("child output: %s", output).isZero();
        assertThat(output).contains("built Bridge[");
    }
}
