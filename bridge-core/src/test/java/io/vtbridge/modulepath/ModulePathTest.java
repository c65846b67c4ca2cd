package io.vtbridge.modulepath;

import io.vtbridge.Bridge;
import io.vtbridge.Shard;
import io.vtbridge.internal.JdkAccess;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.ChildJvm;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * vtbridge as the named module {@code io.vtbridge}: the module exports the API packages and nothing
 * else, and a bridge runs on the module path, in a fresh JVM, with the module-path form of the opens
 * flag; without it, the error names that form. The child's main class is in this package, which is
 * not part of the module, so it runs in the unnamed module as an application would.
 */
@Timeout(120)
class ModulePathTest {

    private static final Set<String> API = Set.of("io.vtbridge", "io.vtbridge.monitor", "io.vtbridge.trace", "io.vtbridge.stress");

    /** The child JVM's main: prints what a user of the module sees, exits 3 on the missing-flag error. */
    public static void main(String[] args) throws Exception {
        Module module = Bridge.class.getModule();
        System.out.println("module " + module.getName());
        System.out.println("loop exported " + module.isExported("io.vtbridge.loop"));
        try (Bridge bridge = Bridge.builder().shards(1).build();
             RecordingStream jfr = new RecordingStream()) {
            CountDownLatch jfrEvent = new CountDownLatch(1);
            jfr.enable("io.vtbridge.Event");
            jfr.onEvent("io.vtbridge.Event", e -> jfrEvent.countDown());
            jfr.startAsync();
            boolean bridged = bridge.submit(() -> {
                Bridge.sleep(Duration.ofMillis(1));
                return Bridge.current().map(Shard::index).isPresent();
            }).get(Await.WAIT_SECONDS, TimeUnit.SECONDS);
            System.out.println("bridged " + bridged);
            System.out.println("jfr event " + jfrEvent.await(Await.WAIT_SECONDS, TimeUnit.SECONDS));
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage());
            System.exit(3);
        }
    }

    @Test
    void theModuleExportsTheApiPackagesOnly() {
        ModuleDescriptor module = descriptor();
        Set<String> unqualified = module.exports().stream().filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toCollection(TreeSet::new));
        assertThat(unqualified).containsExactlyInAnyOrderElementsOf(API);
        assertThat(module.packages()).contains("io.vtbridge.loop", "io.vtbridge.queue", "io.vtbridge.internal");
        assertThat(module.exports().stream().filter(ModuleDescriptor.Exports::isQualified))
                .allSatisfy(e -> assertThat(e.targets()).containsExactly("io.vtbridge.adapters"));
    }

    @Test
    void aBridgeRunsOnTheModulePathWithTheModuleForm() throws Exception {
        String output = runChild(true);
        assertThat(output).contains("module io.vtbridge", "loop exported false", "bridged true", "jfr event true");
    }

    @Test
    void withoutTheFlagTheErrorNamesTheModuleForm() throws Exception {
        String output = runChild(false);
        assertThat(output).contains(JdkAccess.OPENS_FLAG_MODULE_PATH).doesNotContain("ALL-UNNAMED");
    }

    private static String runChild(boolean withFlag) throws Exception {
        ChildJvm child = ChildJvm.of(ModulePathTest.class);
        if (withFlag) {
            child.flags("--add-opens", "java.base/java.lang=io.vtbridge");
        }
        ChildJvm.Result result = child.flags("--module-path", moduleDirectory().toString(), "--add-modules", "io.vtbridge").run();
        assertThat(result.exitCode()).as("child output: %s", result.output()).isEqualTo(withFlag ? 0 : 3);
        return result.output();
    }

    private static ModuleDescriptor descriptor() {
        return ModuleFinder.of(moduleDirectory()).find("io.vtbridge").orElseThrow().descriptor();
    }

    /** The class-path entry that holds module io.vtbridge: bridge-core's compiled main classes. */
    private static Path moduleDirectory() {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry);
            if (Files.isRegularFile(path.resolve("module-info.class"))
                    && ModuleFinder.of(path).find("io.vtbridge").isPresent()) {
                return path;
            }
        }
        throw new AssertionError("no class-path entry holds module io.vtbridge: " + System.getProperty("java.class.path"));
    }
}
