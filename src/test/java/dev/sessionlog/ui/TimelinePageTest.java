package dev.sessionlog.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Json;
import dev.sessionlog.local.LocalConfig;
import dev.sessionlog.local.LocalRunner;
import dev.sessionlog.recorder.AgentRunGenerator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The timeline page at /ui/ in a real Chromium (Debian's, headless, driven by Selenium), served by
 * the local runner with the examples/ run in it: the list, a session's loops, tool calls, parallel
 * group, rejected input, sub-agent link and the way back, an event's JSON, and new events followed
 * without a reload. Writes target/timeline.png: the README's picture, docs/timeline.png, is a copy of one.
 */
class TimelinePageTest {

    static final String TENANT = "demo";
    static final Path CHROMIUM = Path.of(System.getProperty("sessionlog-test.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("sessionlog-test.chromedriver", "/usr/bin/chromedriver"));

    static LocalRunner runner;
    static String base;
    static ChromeDriver browser;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void theExamplesRunAndABrowser() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), "Chromium and chromedriver are needed "
                + "(Debian: apt-get install chromium chromium-driver; .ci/run installs them)");
        runner = LocalRunner.start(LocalConfig.from(Map.of("SESSIONLOG_API_PORT", "0", "SESSIONLOG_DYNAMODB_PORT", "0",
                "SESSIONLOG_S3_PORT", "0", "SESSIONLOG_IN_MEMORY", "true", "SESSIONLOG_STREAM_POLL_MILLIS", "100",
                "SESSIONLOG_SCHEDULE_SECONDS", "3600", "SESSIONLOG_ERASE_SECONDS", "3600")));
        base = "http://127.0.0.1:" + runner.apiPort();
        for (String session : List.of("demo", "demo-researcher")) {
            assertEquals(201, post("/v1/sessions/" + session + "/events", Files.readString(Path.of("examples", session + ".json"))).statusCode());
        }
        awaitRecorded("demo");
        awaitRecorded("demo-researcher");

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        Path profile = Files.createTempDirectory("sessionlog-chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=1400,1050", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void close() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (runner != null) {
            runner.close();
        }
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("X-Tenant-Id", TENANT)
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("X-Tenant-Id", TENANT).build(),
                HttpResponse.BodyHandlers.ofString());
        return Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
    }

    static void awaitRecorded(String session) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode s = get("/v1/sessions/" + session);
            if (s.has("recorded_through_seq") && s.get("recorded_through_seq").asLong() == s.get("head_seq").asLong()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(session + " was not recorded in time");
    }

    static WebElement await(By by, Predicate<WebElement> condition, Duration timeout) {
        return new WebDriverWait(browser, timeout).until(d -> d.findElements(by).stream().filter(condition).findFirst().orElse(null));
    }

    static WebElement await(By by) {
        return await(by, e -> true, Duration.ofSeconds(10));
    }

    /** Clicks what {@code by} finds, again if the page re-rendered it meanwhile (a followed session re-renders as it grows). */
    static void click(By by) {
        new WebDriverWait(browser, Duration.ofSeconds(10)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> {
                    d.findElement(by).click();
                    return true;
                });
    }

    static void openAsTenant() {
        browser.get(base + "/ui/");
        WebElement tenant = await(By.id("tenant"));
        tenant.clear();
        tenant.sendKeys(TENANT);
        browser.findElement(By.id("connect")).click();
    }

    @Test
    void theExamplesRunAsATimeline() throws Exception {
        openAsTenant();
        ((JavascriptExecutor) browser).executeScript("performance.setResourceTimingBufferSize(100000)");
        await(By.cssSelector("#sessions tbody tr[data-session-id='demo-researcher']"));
        // read at once: the list may be read again meanwhile (Use, a push), replacing its rows
        @SuppressWarnings("unchecked")
        List<String> listed = (List<String>) ((JavascriptExecutor) browser).executeScript(
                "return [...document.querySelectorAll('#sessions tbody tr')].map(r => r.dataset.sessionId)");
        assertTrue(listed.containsAll(List.of("demo", "demo-researcher")), listed::toString);

        // the session's id is a real link: opened in a new tab it shows the session; the keyboard reaches it
        By demoLink = By.cssSelector("#sessions tbody tr[data-session-id='demo'] a");
        String href = (String) ((JavascriptExecutor) browser).executeScript(
                "return document.querySelector(\"#sessions tbody tr[data-session-id='demo'] a\").href");
        assertTrue(href.endsWith("/ui/#/s/demo"), href);
        String listTab = browser.getWindowHandle();
        browser.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
        browser.get(href);
        await(By.cssSelector(".lane"));
        browser.close();
        browser.switchTo().window(listTab);
        await(demoLink).sendKeys(org.openqa.selenium.Keys.ENTER);
        await(By.cssSelector(".lane"));
        JsonNode session = get("/v1/sessions/demo");
        List<WebElement> lanes = browser.findElements(By.cssSelector(".lane"));
        assertEquals(session.get("loops").size(), lanes.size(), "a lane per loop");
        // tool calls by name, with their durations
        WebElement readFile = await(By.cssSelector(".tool[data-tool='read_file']"));
        assertEquals("4000", readFile.getAttribute("data-duration-ms"), "from the call's assistant message to its result");
        assertTrue(readFile.getAttribute("title").contains("read_file · 4.0 s"), readFile.getAttribute("title"));
        // the parallel group, its selected branch marked; the rejected input
        assertEquals(3, browser.findElements(By.cssSelector(".badge.parallel")).size());
        WebElement selected = browser.findElement(By.cssSelector(".badge.selected"));
        assertTrue(selected.findElement(By.xpath("./..")).getText().startsWith("demo.anthropic-sonnet.21"), selected.getText());
        long rejected = java.util.stream.StreamSupport.stream(session.get("loops").spliterator(), false)
                .filter(l -> !l.path("rejection").isNull()).count();
        assertTrue(rejected > 0, "the examples have a rejected input");
        assertEquals(rejected, browser.findElements(By.cssSelector(".badge.rejected")).size());

        // a loop's details, and an event's JSON on a click
        browser.findElement(By.cssSelector(".lane[data-loop-id='demo.anthropic-sonnet.0']")).click();
        WebElement calls = await(By.cssSelector("#details .tool-calls"));
        assertTrue(calls.getText().contains("read_file — 4.0 s — ok"), calls.getText());
        browser.findElement(By.cssSelector("#details .event-seqs button[data-seq='9']")).click();
        WebElement json = await(By.id("json"), e -> e.isDisplayed() && "9".equals(e.getAttribute("data-seq")), Duration.ofSeconds(10));
        JsonNode shown = Json.parse(json.getText().getBytes(StandardCharsets.UTF_8));
        assertEquals(get("/v1/sessions/demo/events?after_seq=8&limit=1").get("events").get(0), shown);
        // in target/: a test run leaves the checkout as it found it (copy it to docs/ to renew the README's picture)
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "timeline.png"), browser.getScreenshotAs(OutputType.BYTES));

        // new events appear without a reload, pushed: the page reads no events over HTTP for them
        await(By.cssSelector("body[data-follow='push']"));
        JavascriptExecutor js = (JavascriptExecutor) browser;
        String eventReads = "return performance.getEntriesByType('resource').filter(e => e.name.includes('/events?')).length";
        long readsBefore = ((Number) js.executeScript(eventReads)).longValue();
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.withArray("events").addObject().put("event_id", "live-1").putObject("event").put("type", "Note").put("text", "hello");
        assertEquals(201, post("/v1/sessions/demo/events", Json.write(body)).statusCode());
        long appended = System.nanoTime();
        await(By.cssSelector("#live li[data-event-id='live-1']"), e -> true, Duration.ofSeconds(10));
        System.out.printf("timeline: a new event appeared %d ms after its append (pushed)%n", (System.nanoTime() - appended) / 1_000_000);
        assertEquals(readsBefore, ((Number) js.executeScript(eventReads)).longValue(), "the event came pushed, not read");

        // the sub-agent's session, and the way back to its parent
        click(By.cssSelector("a.subagent"));
        await(By.cssSelector("body[data-session='demo-researcher'] .lane"));
        assertTrue(browser.findElement(By.id("parent-link")).getText().contains("demo"));
        click(By.id("parent-link"));
        await(By.cssSelector("body[data-session='demo'] .lane"));
    }

    @Test
    void theListShowsASessionThatStartsWhileItIsOpen() throws Exception {
        openAsTenant();
        await(By.cssSelector("body[data-list-follow='push']"), e -> true, Duration.ofSeconds(10));
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.withArray("events").addObject().put("event_id", "new-1").putObject("event").put("type", "Note").put("text", "new");
        assertEquals(201, post("/v1/sessions/started-while-listed/events", Json.write(body)).statusCode());
        // pushed to the list, read again once recorded: no reload, no click
        await(By.cssSelector("#sessions tbody tr[data-session-id='started-while-listed']"), e -> true, Duration.ofSeconds(15));
    }

    @Test
    void withoutAWebSocketThePageFollowsWithHeldReads() throws Exception {
        openAsTenant();
        // a browser (or a proxy) that cannot open the follow connection
        ((JavascriptExecutor) browser).executeScript("window.WebSocket = function () { throw new Error('no WebSocket here'); };");
        browser.get(base + "/ui/#/s/demo-researcher");
        ((JavascriptExecutor) browser).executeScript("window.WebSocket = function () { throw new Error('no WebSocket here'); };");
        ((JavascriptExecutor) browser).executeScript("window.dispatchEvent(new HashChangeEvent('hashchange'))");
        await(By.cssSelector("body[data-follow='wait'][data-session='demo-researcher']"), e -> true, Duration.ofSeconds(10));
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.withArray("events").addObject().put("event_id", "held-1").putObject("event").put("type", "Note").put("text", "by wait=");
        assertEquals(201, post("/v1/sessions/demo-researcher/events", Json.write(body)).statusCode());
        await(By.cssSelector("#live li[data-event-id='held-1']"), e -> true, Duration.ofSeconds(10));
        assertEquals("following (wait=)", browser.findElement(By.id("live-state")).getText());
    }

    @Test
    void errorsAreTheApisMessage() {
        openAsTenant();
        browser.get(base + "/ui/#/s/no-such-session");
        WebElement error = await(By.id("error"), WebElement::isDisplayed, Duration.ofSeconds(10));
        assertTrue(error.getText().contains("no-such-session") && error.getText().contains("404"), error.getText());
    }

    @Test
    void aSessionOf2000LoopsOpensAndItsLastLoopIsReachable() throws Exception {
        List<EventRecord> run = AgentRunGenerator.generate(AgentRunGenerator.Config.of("big", 2000).withShape(0, 1, 2)
                .withLinks(4, 0, 3, 0)).events();
        assertTrue(run.size() >= 20_000, "generated " + run.size());
        for (int from = 0; from < run.size(); from += 100) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            ArrayNode events = body.putArray("events");
            for (EventRecord e : run.subList(from, Math.min(run.size(), from + 100))) {
                events.addObject().set("event", e.event());
            }
            assertEquals(201, post("/v1/sessions/big/events", Json.write(body)).statusCode());
        }
        awaitRecorded("big");
        openAsTenant();
        browser.get(base + "/ui/#/s/big");
        await(By.cssSelector("body[data-session='big'] .lane"), e -> true, Duration.ofSeconds(30));
        long firstView = ((Number) ((JavascriptExecutor) browser).executeScript("return window.sessionlogFirstViewMs")).longValue();
        System.out.printf("timeline: first view of a session of 2000 loops and %d events: %d ms%n", run.size(), firstView);
        assertTrue(browser.findElements(By.cssSelector(".lane")).size() < 100, "only the lanes in view are in the page");
        ((JavascriptExecutor) browser).executeScript("const t = document.getElementById('timeline'); t.scrollTop = t.scrollHeight;");
        String lastLoop = get("/v1/sessions/big").get("loops").get(1999).get("loop_id").asText();
        WebElement last = await(By.cssSelector(".lane[data-loop-id='" + lastLoop + "']"), WebElement::isDisplayed, Duration.ofSeconds(5));
        assertTrue(last.getText().startsWith(lastLoop), last.getText());
    }
}
