package io.vtbridge.internal;

import io.vtbridge.testing.Await;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JdkAccessTest {

    @Test
    void theOpensFlagIsPresentInTheTestJvmAndTheCarrierIsVisible() throws Exception {
        assertThat(JdkAccess.isAvailable()).isTrue();
        assertThat(JdkAccess.currentCarrierThread()).isSameAs(Thread.currentThread());
        Thread[] carrier = new Thread[1];
        Await.join("the virtual thread ends", Thread.ofVirtual().start(() -> carrier[0] = JdkAccess.currentCarrierThread()));
        assertThat(carrier[0]).isNotNull();
        assertThat(carrier[0].isVirtual()).isFalse();
    }

    @Test
    void timerQueuesAreSpreadToAPowerOfTwoButAUsersChoiceWins() {
        String key = JdkAccess.TIMER_QUEUES_PROPERTY;
        String before = System.getProperty(key);
        try {
            System.clearProperty(key);
            JdkAccess.spreadTimerQueues(3);
            assertThat(System.getProperty(key)).isEqualTo("4");
            System.clearProperty(key);
            JdkAccess.spreadTimerQueues(2);
            assertThat(System.getProperty(key)).isEqualTo("2");
            System.clearProperty(key);
            JdkAccess.spreadTimerQueues(100_000);
            assertThat(System.getProperty(key)).isEqualTo(String.valueOf(JdkAccess.MAX_TIMER_QUEUES));
            System.setProperty(key, "1");
            JdkAccess.spreadTimerQueues(8);
            assertThat(System.getProperty(key)).as("the user's value").isEqualTo("1");
        } finally {
            if (before == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, before);
            }
        }
    }
}
