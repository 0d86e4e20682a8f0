/**
 * End-to-end tests of the dashboard in a real browser: Debian's headless Chromium, driven through chromedriver by a
 * small W3C WebDriver client, against a running application with a real Redis.
 */
@NullMarked
package dev.taskqueue.dashboard.browser;

import org.jspecify.annotations.NullMarked;
