package io.vtbridge.samples.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine's check of a reopened store finds written data, and fails when a write is missing. */
class EngineTest {

    private static final int KEYS = 256;
    private static final int VALUE_BYTES = 1000;

    @Test
    void aReopenedStoreHoldsEveryWriteAndTheSeedElsewhere(@TempDir Path dir) {
        Path seed = dir.resolve("seed.mv");
        Engine.seed(seed, KEYS, VALUE_BYTES);
        Engine engine = Engine.open(seed, KEYS, VALUE_BYTES, 1);
        try {
            engine.put(3);
            engine.put(3);
            engine.put(200);
            engine.checkpoint();
            assertThat(Values.version(engine.get(3))).isEqualTo(2);
            assertThat(Values.version(engine.get(7))).isZero();
        } finally {
            engine.close();
        }
        assertThat(engine.verify(seed)).isEqualTo(2);
    }

    @Test
    void aLostWriteFailsTheCheckNamingItsKey(@TempDir Path dir) throws Exception {
        Path seed = dir.resolve("seed.mv");
        Path copy = dir.resolve("copy.mv");
        Engine.seed(seed, KEYS, VALUE_BYTES);
        Files.copy(seed, copy);
        Engine engine = Engine.open(copy, KEYS, VALUE_BYTES, 1);
        try {
            engine.put(42);
        } finally {
            engine.close();
        }
        Files.copy(seed, copy, StandardCopyOption.REPLACE_EXISTING); // the write is lost
        assertThatThrownBy(() -> engine.verify(copy)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("key 42");
    }

    @Test
    void aValueIsIntactOnlyByteForByte() {
        byte[] value = Values.of(9, 5, 300);
        assertThat(Values.key(value)).isEqualTo(9);
        assertThat(Values.version(value)).isEqualTo(5);
        assertThat(Values.intact(value, 300)).isTrue();
        value[299] ^= 1;
        assertThat(Values.intact(value, 300)).isFalse();
        assertThat(Values.intact(Values.of(9, 5, 300), 301)).isFalse();
    }
}
