package io.vtbridge.samples.jobqueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job server's routes on a bridge, behind each HTTP front end (the JDK's HttpServer and the lean
 * one): submit, follow a job by long polls, time out, cancel, errors.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(ServerUnderTest.FrontEnd.class)
class JobServerTest {

    @Parameter
    ServerUnderTest.FrontEnd frontEnd;

    private ServerUnderTest server;
    private ExecutorService clientThreads;
    private HttpClient client;

    @BeforeEach
    void start() throws Exception {
        server = ServerUnderTest.bridged(frontEnd, 2, 256, Options.parse("--wait-timeout", "5"));
        clientThreads = Executors.newFixedThreadPool(2);
        client = DriverSteps.newClient(clientThreads);
    }

    @AfterEach
    void stop() throws Exception {
        client.shutdownNow();
        clientThreads.shutdownNow();
        server.close();
    }

    @Test
    void aFollowerSeesEveryStateOfAJobInOrderThroughLongPolls() throws Exception {
        String line = DriverSteps.call(client, server.port(), "POST", "/jobs?ops=3&opMillis=30");
        assertThat(line).matches("\\d+ (QUEUED|WAITING) \\d+ 0/3");
        long id = Long.parseLong(line.split(" ")[0]);
        List<String> seen = new ArrayList<>();
        long version = 0;
        String state = "";
        while (!state.equals("SUCCESS")) {
            HttpResponse<String> r = get("/jobs/" + id + "/wait?since=" + version);
            assertThat(r.statusCode()).as("answer to wait?since=%d: %s", version, r.body()).isEqualTo(200);
            String[] f = r.body().strip().split(" ");
            assertThat(Long.parseLong(f[2])).as("the version grows").isGreaterThan(version);
            version = Long.parseLong(f[2]);
            state = f[1];
            seen.add(state + " " + f[3]);
        }
        // A follower may miss intermediate versions (it asks for "anything after v"), never see them out of order.
        assertThat(seen).isSubsetOf("QUEUED 0/3", "WAITING 0/3", "RUNNING 0/3", "RUNNING 1/3", "RUNNING 2/3", "SUCCESS 3/3");
        assertThat(seen).isSortedAccordingTo((a, b) -> Integer.compare(rank(a), rank(b)));
        assertThat(version).isEqualTo(6);                        // QUEUED 1, WAITING 2, RUNNING 3..5, SUCCESS 6
        assertThat(get("/jobs").body()).contains(id + " SUCCESS 6 3/3");
        HttpResponse<String> one = get("/jobs/" + id);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(one.body()).isEqualTo(id + " SUCCESS 6 3/3\n");
        assertThat(one.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
    }

    @Test
    void aWaitWithNoChangeEndsIn304AfterItsTimeout() throws Exception {
        Job.Snapshot held = DriverSteps.holdJob(client, server);
        long t0 = System.nanoTime();
        HttpResponse<String> r = get("/jobs/" + held.id() + "/wait?since=" + held.version() + "&timeout=1");
        assertThat(r.statusCode()).isEqualTo(304);
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(900));
        assertThat(server.store().waiting()).isZero();
    }

    @Test
    void cancelWakesEveryWaiterWithTheNewStateAndStopsTheJob() throws Exception {
        Job.Snapshot held = DriverSteps.holdJob(client, server);
        List<CompletableFuture<HttpResponse<String>>> waits = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            waits.add(getAsync("/jobs/" + held.id() + "/wait?since=" + held.version() + "&timeout=60")); // a lost wake-up: 60 s
        }
        assertThat(DriverSteps.awaitParked(server.store()::waiting, 20, Duration.ofSeconds(10))).isEqualTo(20);

        String cancelled = DriverSteps.call(client, server.port(), "POST", "/jobs/" + held.id() + "/cancel");
        assertThat(cancelled).isEqualTo(held.id() + " CANCELED " + (held.version() + 1) + " 0/1");
        for (CompletableFuture<HttpResponse<String>> wait : waits) {
            HttpResponse<String> r = wait.get(10, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body().strip()).isEqualTo(cancelled);
        }
        HttpResponse<String> again = send("POST", "/jobs/" + held.id() + "/cancel");
        assertThat(again.statusCode()).isEqualTo(409);
        // The runner was interrupted out of its long sleep: the bridge has only this test's tasks left.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.bridge().inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);                                    // polling a counter
        }
        assertThat(server.bridge().inFlight()).isZero();
    }

    @Test
    void badRequestsAreAnsweredWithTheirStatusAndName() throws Exception {
        assertThat(get("/jobs/999/wait?since=0").statusCode()).isEqualTo(404);
        assertThat(get("/jobs/999").statusCode()).isEqualTo(404);
        assertThat(get("/elsewhere").statusCode()).isEqualTo(404);
        HttpResponse<String> notANumber = get("/jobs/abc");
        assertThat(notANumber.statusCode()).isEqualTo(400);
        assertThat(notANumber.body()).contains("job id must be a number: abc");
        String line = DriverSteps.call(client, server.port(), "POST", "/jobs?ops=1&opMillis=0");
        long id = Long.parseLong(line.split(" ")[0]);
        HttpResponse<String> noSince = get("/jobs/" + id + "/wait");
        assertThat(noSince.statusCode()).isEqualTo(400);
        assertThat(noSince.body()).contains("since is required");
        HttpResponse<String> badTimeout = get("/jobs/" + id + "/wait?since=0&timeout=0");
        assertThat(badTimeout.statusCode()).isEqualTo(400);
        assertThat(badTimeout.body()).contains("timeout must be in 1..3600: 0");
        HttpResponse<String> badOps = send("POST", "/jobs?ops=101");
        assertThat(badOps.statusCode()).isEqualTo(400);
        assertThat(badOps.body()).contains("ops must be in 1..100: 101");
        assertThat(send("DELETE", "/jobs/" + id).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/jobs/" + id + "/cancel").statusCode()).isEqualTo(404);
        assertThat(send("POST", "/jobs/" + id + "/wait/more").statusCode()).isEqualTo(404);
    }

    private static int rank(String seen) {
        return List.of("QUEUED 0/3", "WAITING 0/3", "RUNNING 0/3", "RUNNING 1/3", "RUNNING 2/3", "SUCCESS 3/3").indexOf(seen);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path);
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return client.send(request(method, path), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return client.sendAsync(request("GET", path), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String method, String path) {
        return HttpRequest.newBuilder(DriverSteps.uri(server.port(), path)).timeout(Duration.ofSeconds(90))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
    }
}
