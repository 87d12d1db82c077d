package io.echodb.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.echodb.runner.EchoDbApplication;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (Debian's headless Chromium and chromedriver, driven by Selenium) against a worker on
 * real PostgreSQL and ClickHouse: a table created while the page is open appears with its state and copy progress, a
 * verify and a resync run with the admin token and show their answers, and actions are refused without it.
 */
class ConsoleBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Path CHROMIUM = Path.of(System.getProperty("echodb.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("echodb.chromedriver", "/usr/bin/chromedriver"));

    private final Stack stack = new Stack("e2e_console");
    private WebDriver browser;

    @AfterEach
    void cleanUp() {
        if (browser != null) {
            browser.quit();
        }
        stack.close();
    }

    private static WebDriver chromium() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String how = "the console's browser test needs Debian's Chromium and chromedriver at " + CHROMIUM + " and "
                    + CHROMEDRIVER + ": apt-get install chromium chromium-driver (.ci/run does), or point"
                    + " -Dechodb.chromium / -Dechodb.chromedriver at them";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(how);
            }
            Assumptions.abort(how);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1500,1100", "--no-first-run", "--disable-extensions");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /** Waits, finding elements again when the page re-rendered them meanwhile (it redraws every 2 s). */
    private WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(200));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    private String text(By by) {
        return waiting().until(d -> d.findElement(by).getText());
    }

    private void click(By by) {
        waiting().until(d -> {
            d.findElement(by).click();
            return true;
        });
    }

    private String answerAfter(Runnable click, String expected) {
        click.run();
        waiting().until(d -> d.findElement(By.id("answer")).getText().contains(expected));
        return text(By.id("answer"));
    }

    @Test
    void theConsoleShowsMirrorsAndRunsActionsWithTheTokenOnly() throws Exception {
        stack.sql("CREATE TABLE console_orders (id int PRIMARY KEY, note text)",
                "INSERT INTO console_orders SELECT g, 'order ' || g FROM generate_series(1, 100) g");
        EchoDbApplication app = stack.start(stack.env("console-worker", "none"));
        String base = "http://127.0.0.1:" + app.httpPort();
        browser = chromium();
        browser.get(base + "/");

        waiting().until(d -> d.findElements(By.cssSelector("tr[data-mirror='console_orders_mirror'] [data-field='state']"))
                .stream().anyMatch(e -> e.getText().equals("running")));
        assertThat(text(By.id("worker"))).contains("console-worker").contains("leader").contains("native");
        assertThat(text(By.id("checks"))).contains("postgres: ok").contains("clickhouse: ok");
        assertThat(text(By.id("slot"))).contains("wal_status").contains("retains");

        // a table created while the page is open shows up by itself, with its copy
        stack.sql("CREATE TABLE console_events (id int PRIMARY KEY, payload text)",
                "INSERT INTO console_events SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g");
        waiting().until(d -> d.findElements(By.cssSelector("tr[data-mirror='console_events_mirror']")).size() == 1);
        assertThat(text(By.cssSelector("tr[data-mirror='console_events_mirror']"))).contains("public.console_events → console_events");
        waiting().until(d -> d.findElement(By.cssSelector("tr[data-mirror='console_events_mirror'] [data-field='state']"))
                .getText().equals("running"));
        assertThat(text(By.cssSelector("tr[data-mirror='console_events_mirror'] [data-field='copy']"))).isEqualTo("done");
        waiting().until(d -> d.findElement(By.id("activity")).getText().contains("public.console_events"));
        assertThat(text(By.id("activity"))).contains("ddl: public.console_events — table created")
                .contains("state: console_events_mirror");

        // without the token, commands are refused and the refusal is shown
        String refused = answerAfter(() -> click(
                By.cssSelector("button[data-action='resync'][data-mirror='console_orders_mirror']")), "HTTP 401");
        assertThat(refused).contains("resync console_orders_mirror").contains("Bearer");
        assertThat(text(By.id("token-state"))).contains("read-only");

        // with the token (kept for the tab), verify and resync run and answer
        browser.findElement(By.id("token")).sendKeys(Stack.ADMIN_TOKEN);
        click(By.id("token-use"));
        waiting().until(d -> d.findElement(By.id("token-state")).getText().contains("admin token set"));
        String verified = answerAfter(() -> click(
                By.cssSelector("button[data-action='verify'][data-mirror='console_orders_mirror']")), "\"status\": \"match\"");
        assertThat(verified).contains("verify public.console_orders").contains("\"postgres_count\": 100");
        waiting().until(d -> d.findElement(By.cssSelector("tr[data-mirror='console_orders_mirror'] [data-field='check']"))
                .getText().contains("match"));
        String resynced = answerAfter(() -> click(
                By.cssSelector("button[data-action='resync'][data-mirror='console_orders_mirror']")), "resync_started");
        assertThat(resynced).contains("HTTP 200");
        waiting().until(d -> d.findElement(By.cssSelector("tr[data-mirror='console_orders_mirror'] [data-field='state']"))
                .getText().equals("running"));

        Path shot = Path.of("target", "console-screenshot.png");
        Files.createDirectories(shot.getParent());
        Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(shot)).isGreaterThan(10_000);

        // the page forbids foreign scripts and framing
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("script-src 'self'").contains("frame-ancestors 'none'"));
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        HttpResponse<String> script = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(base + "/console/console.js")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }
}
