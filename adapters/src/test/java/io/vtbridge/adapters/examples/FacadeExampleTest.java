package io.vtbridge.adapters.examples;

import io.vtbridge.Bridge;
import io.vtbridge.adapters.facade.AsyncFacade;
import io.vtbridge.adapters.facade.ShardKey;
import io.vtbridge.adapters.facade.SyncFacade;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's facade example, compiled and run by the build so it cannot rot. */
class FacadeExampleTest {

    /** A legacy, blocking interface (here, a map behind a lock). */
    public interface Accounts {
        long balance(String id);

        void deposit(String id, long cents);
    }

    /** Its async twin, declared by the user. */
    public interface AsyncAccounts {
        CompletableFuture<Long> balance(@ShardKey String id);

        CompletableFuture<Void> deposit(@ShardKey String id, long cents);
    }

    /** An async service legacy code must call. */
    public static final class AsyncRates {
        public CompletableFuture<Long> centsPerEuro(String currency) {
            return CompletableFuture.supplyAsync(() -> currency.equals("USD") ? 108L : 100L);
        }
    }

    /** What the legacy code expects to call. */
    public interface Rates {
        long centsPerEuro(String currency);
    }

    static final class LegacyAccounts implements Accounts {
        private final ReentrantLock lock = new ReentrantLock();
        private final Map<String, Long> balances = new HashMap<>();

        @Override
        public long balance(String id) {
            lock.lock();
            try {
                return balances.getOrDefault(id, 0L);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void deposit(String id, long cents) {
            lock.lock();
            try {
                balances.merge(id, cents, Long::sum);
            } finally {
                lock.unlock();
            }
        }
    }

    @Test
    void example() throws Exception {
        try (Bridge bridge = Bridge.builder().shards(2).build()) {
            // Async callers, blocking code behind:
            AsyncAccounts accounts = AsyncFacade.of(AsyncAccounts.class, new LegacyAccounts(), bridge);
            CompletableFuture<Long> balance = accounts.deposit("alice", 500)
                    .thenCompose(done -> accounts.balance("alice"));       // both on alice's shard

            // Blocking code, an async service behind; the call suspends, holding no thread:
            Rates rates = SyncFacade.of(Rates.class, new AsyncRates());
            CompletableFuture<Long> usd = bridge.submit(() -> 10 * rates.centsPerEuro("USD"));

            assertThat(balance.get(10, TimeUnit.SECONDS)).isEqualTo(500L);
            assertThat(usd.get(10, TimeUnit.SECONDS)).isEqualTo(1080L);
        }
    }
}
