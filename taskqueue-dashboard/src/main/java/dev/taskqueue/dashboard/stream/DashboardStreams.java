package dev.taskqueue.dashboard.stream;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The open live-update streams, and the one thread that feeds them:
 * <ol>
 * <li>each second, it reads each view that a stream follows (once per view, however many follow it) and sends it as
 * an {@code update} event to each stream whose last update differs; a view that fails to read sends a
 * {@code problem} event ({@code {error}}) instead, once;</li>
 * <li>a stream that got nothing for {@link #PING} gets a comment, so that proxies keep it open and a closed browser is
 * noticed (the write fails, the stream is dropped);</li>
 * <li>at most {@code maxStreams} are open: another is refused ({@link TooManyStreamsException}), since each holds a
 * server thread's worth of resources and costs a read a second;</li>
 * <li>each stream ends after {@link #LIFETIME} (the browser's EventSource reconnects), and all end when the
 * application stops, before the web server's graceful shutdown waits for open requests.</li>
 * </ol>
 */
public final class DashboardStreams implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DashboardStreams.class);

    /** How often views are read: the most updates a stream gets. */
    public static final Duration INTERVAL = Duration.ofSeconds(1);

    /** The longest a stream goes without a write. */
    public static final Duration PING = Duration.ofSeconds(15);

    /** How long a stream lives before the browser reconnects. */
    public static final Duration LIFETIME = Duration.ofMinutes(10);

    private final JsonMapper json;
    private final int maxStreams;
    private final LongSupplier clock;
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    private volatile @Nullable ScheduledExecutorService ticker;

    /**
     * @param json writes the views as the JSON API does
     * @param clock the time in milliseconds (for pings)
     */
    public DashboardStreams(JsonMapper json, int maxStreams, LongSupplier clock) {
        this.json = json;
        this.maxStreams = maxStreams;
        this.clock = clock;
    }

    /**
     * Opens a stream of {@code view}: its first update goes at the next tick.
     *
     * @param key what identifies the view's answer (the view and whether values are shown): streams with the same
     *        key share one read
     * @param reader reads the view, as its JSON route answers it
     * @throws TooManyStreamsException when {@code maxStreams} are open, or the application is stopping
     */
    public SseEmitter open(String key, Supplier<Object> reader) {
        if (ticker == null) {
            throw new TooManyStreamsException("The application is stopping: live updates are off");
        }
        if (streams.size() >= maxStreams) {
            throw new TooManyStreamsException(maxStreams + " live-update streams are open already "
                    + "(taskqueue.dashboard.max-streams): close a dashboard tab, or raise the limit");
        }
        SseEmitter emitter = new SseEmitter(LIFETIME.toMillis());
        Stream stream = new Stream(emitter, key, reader);
        emitter.onCompletion(() -> streams.remove(stream));
        emitter.onTimeout(() -> streams.remove(stream));
        emitter.onError(error -> streams.remove(stream));
        streams.add(stream);
        return emitter;
    }

    /** How many streams are open. */
    public int size() {
        return streams.size();
    }

    /** Sends each stream its view when it changed, or a ping when it was quiet too long. */
    void tick() {
        Map<String, Answer> answers = new HashMap<>();
        long now = clock.getAsLong();
        for (Stream stream : streams) {
            Answer answer = answers.computeIfAbsent(stream.key, key -> read(stream.reader));
            try {
                if (!answer.body.equals(stream.last)) {
                    stream.emitter.send(SseEmitter.event().name(answer.event).data(answer.body,
                            MediaType.APPLICATION_JSON));
                    stream.last = answer.body;
                    stream.lastWrite = now;
                }
                else if (now - stream.lastWrite >= PING.toMillis()) {
                    stream.emitter.send(SseEmitter.event().comment("ping"));
                    stream.lastWrite = now;
                }
            }
            catch (IOException | IllegalStateException ex) {
                streams.remove(stream); // the browser went away
                stream.emitter.completeWithError(ex);
            }
        }
    }

    private Answer read(Supplier<Object> reader) {
        try {
            return new Answer("update", json.writeValueAsString(reader.get()));
        }
        catch (RuntimeException ex) {
            return new Answer("problem", json.writeValueAsString(Map.of("error",
                    Objects.requireNonNullElse(ex.getMessage(), ex.getClass().getName()))));
        }
    }

    @Override
    public synchronized void start() {
        if (ticker == null) {
            ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "taskqueue-dashboard-streams");
                thread.setDaemon(true);
                return thread;
            });
            executor.scheduleWithFixedDelay(this::safeTick, INTERVAL.toMillis(), INTERVAL.toMillis(),
                    TimeUnit.MILLISECONDS);
            ticker = executor;
        }
    }

    private void safeTick() {
        try {
            tick();
        }
        catch (RuntimeException ex) { // a tick that throws would end the schedule
            log.warn("A live update of the taskqueue dashboard failed; the next one will try again", ex);
        }
    }

    /** Ends every stream, so that the web server's graceful shutdown does not wait for them. */
    @Override
    public synchronized void stop() {
        ScheduledExecutorService executor = ticker;
        ticker = null;
        if (executor != null) {
            executor.shutdownNow();
        }
        for (Stream stream : streams) {
            stream.emitter.complete();
        }
        streams.clear();
    }

    @Override
    public boolean isRunning() {
        return ticker != null;
    }

    /** One open stream, fed by the ticker thread only (after it opened). */
    private static final class Stream {

        final SseEmitter emitter;
        final String key;
        final Supplier<Object> reader;
        @Nullable String last;
        long lastWrite;

        Stream(SseEmitter emitter, String key, Supplier<Object> reader) {
            this.emitter = emitter;
            this.key = key;
            this.reader = reader;
        }
    }

    /** A view as sent: its event name and JSON. */
    private record Answer(String event, String body) {
    }

    /** No more streams can open: 503. */
    public static class TooManyStreamsException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        public TooManyStreamsException(String message) {
            super(message);
        }
    }
}
