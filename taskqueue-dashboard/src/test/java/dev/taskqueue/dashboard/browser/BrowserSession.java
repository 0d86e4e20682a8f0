package dev.taskqueue.dashboard.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.taskqueue.dashboard.browser.WebDriverClient.Element;

/**
 * One headless Chromium for a test class (a JUnit extension: register it as a static field), with what the tests
 * say in one line: open, wait for, click, type, screenshot, log in. Every wait has a deadline and fails with what it
 * waited for; a failed test leaves a screenshot ({@code target/screenshots/failed-<test>.png}) and the browser's
 * console in the output.
 */
final class BrowserSession implements BeforeAllCallback, AfterAllCallback, AfterTestExecutionCallback {

    /** Where screenshots go; the README's copies are taken from here. */
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    static final Duration WAIT = Duration.ofSeconds(20);

    private static final Duration POLL = Duration.ofMillis(100);

    private @Nullable WebDriverClient driver;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        Chromium chromium = Chromium.locate(); // skips (or in CI fails) the class when the browser is missing
        driver = WebDriverClient.start(chromium, 1440, 900, Path.of("target", "chromedriver.log"));
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        if (context.getExecutionException().isPresent() && driver != null) {
            try {
                screenshot("failed-" + context.getRequiredTestMethod().getName());
                System.err.println("Browser console of the failed test " + context.getDisplayName() + ":");
                driver.consoleMessages().forEach((line) -> System.err.println("  " + line));
                String source = driver.pageSource();
                System.err.println("Page: " + driver.currentUrl() + "\n" + source.substring(0, Math.min(4000,
                        source.length())));
            }
            catch (RuntimeException ex) {
                System.err.println("No screenshot of the failure: " + ex.getMessage());
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (driver != null) {
            driver.close();
            driver = null;
        }
    }

    WebDriverClient driver() {
        return Objects.requireNonNull(driver, "the browser is not started");
    }

    void open(String url) {
        driver().navigate(url);
    }

    /** Waits until the condition holds, polling; fails naming what it waited for. */
    void await(String what, Supplier<Boolean> condition) {
        Instant deadline = Instant.now().plus(WAIT);
        RuntimeException last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                if (Boolean.TRUE.equals(condition.get())) {
                    return;
                }
            }
            catch (WebDriverClient.WebDriverException ex) {
                last = ex; // a stale element while the page re-renders: try again
            }
            WebDriverClient.sleep(POLL);
        }
        throw new AssertionError("Waited " + WAIT.toSeconds() + " s for " + what + " on " + driver().currentUrl()
                + (last != null ? " (last error: " + last.getMessage() + ")" : ""));
    }

    /** The first element matching the selector, once there is one. */
    Element element(String css) {
        Element[] found = new Element[1];
        await("an element " + css, () -> (found[0] = driver().find(css)) != null);
        return found[0];
    }

    /** Waits until an element matching the selector has text containing {@code text}. */
    Element elementWithText(String css, String text) {
        Element[] found = new Element[1];
        await("an element " + css + " with the text '" + text + "'", () -> {
            for (Element element : driver().findAll(css)) {
                if (element.text().contains(text)) {
                    found[0] = element;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    void awaitAbsent(String css) {
        await("no element " + css, () -> driver().findAll(css).isEmpty());
    }

    boolean present(String css) {
        return driver().find(css) != null;
    }

    List<Element> all(String css) {
        return driver().findAll(css);
    }

    /** Clicks the first element matching the selector, finding it again if the page redrew it meanwhile. */
    void click(String css) {
        await("a clickable " + css, () -> {
            Element element = driver().find(css);
            if (element == null) {
                return false;
            }
            element.click(); // a stale element throws, and the wait tries again
            return true;
        });
    }

    /** Runs a script in the page and returns its value. */
    @Nullable Object script(String script, Object... args) {
        return driver().script(script, args);
    }

    /**
     * Sends a request from the page, as the dashboard would, and answers its HTTP status: a fetch with the page's
     * cookies, and the CSRF header from the page's meta tags when {@code withCsrf}.
     */
    int fetchStatus(String method, String path, boolean withCsrf) {
        Object status = driver().asyncScript("""
                const [method, path, withCsrf, done] = arguments;
                const meta = (n) => document.querySelector(`meta[name="${n}"]`)?.getAttribute('content');
                const headers = {Accept: 'application/json'};
                if (withCsrf && meta('tq-csrf-header')) headers[meta('tq-csrf-header')] = meta('tq-csrf-token');
                fetch(path, {method, headers, credentials: 'same-origin', redirect: 'manual'})
                  .then((r) => done(r.status), (e) => done(-1));
                """, method, path, withCsrf);
        return ((Number) Objects.requireNonNull(status)).intValue();
    }

    /** Logs in through the application's login form, starting from a page that requires it. */
    void login(String url, String user, String password) {
        try {
            driver().deleteCookies();
        }
        catch (WebDriverClient.WebDriverException ex) {
            // No site open yet (the first login): no cookies either.
        }
        open(url);
        element("input[name=username]").sendKeys(user);
        element("input[name=password]").sendKeys(password);
        click("form button[type=submit], form input[type=submit]");
        try {
            await("the dashboard after logging in as " + user, () -> present("body.ready main"));
        }
        catch (AssertionError ex) {
            throw new AssertionError(ex.getMessage() + explainBlankPage(), ex);
        }
    }

    /** Why the UI may not have started: most often another app.js on the test class path, shadowing the real one. */
    private String explainBlankPage() {
        Object script = driver().asyncScript("""
                const done = arguments[arguments.length - 1];
                const src = document.querySelector('script[type=module]')?.src;
                if (!src) { done('no module script in the page'); return; }
                fetch(src).then((r) => r.text()).then((t) => done(t.length + ' bytes: ' + t.slice(0, 120)),
                    (e) => done(String(e)));
                """);
        return ". The page's app.js is " + script + " (a short stand-in means an app.js under src/test/resources "
                + "shadows the UI's: delete it)";
    }

    /** Reloads the page and waits until the new one has rendered (not the old one, still showing). */
    void reload() {
        script("window.tqBeforeReload = true; location.reload()");
        await("the page after a reload", () -> Boolean.TRUE.equals(script(
                "return window.tqBeforeReload === undefined && document.body.classList.contains('ready')")));
    }

    /** Saves a PNG of the viewport to {@code target/screenshots/<name>.png}. */
    Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, driver().screenshot());
            return file;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
