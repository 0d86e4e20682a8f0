/**
 * The dashboard over HTTP: the HTML shell, its static assets, the JSON API the UI reads and acts through, and the
 * guard that checks every request's rights and adds the security headers.
 */
@NullMarked
package dev.taskqueue.dashboard.web;

import org.jspecify.annotations.NullMarked;
