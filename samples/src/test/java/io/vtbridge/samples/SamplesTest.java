package io.vtbridge.samples;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SamplesTest {

    /** Every name ./vtb sample lists has a class with a public static main(String[]). */
    @Test
    void everyListedSampleHasAMain() throws Exception {
        assertThat(Samples.SAMPLES).isNotEmpty();
        for (Map.Entry<String, String[]> sample : Samples.SAMPLES.entrySet()) {
            Method main = Class.forName(sample.getValue()[0]).getMethod("main", String[].class);
            assertThat(Modifier.isStatic(main.getModifiers())).as(sample.getKey()).isTrue();
        }
    }
}
