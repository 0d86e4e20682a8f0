package dev.taskqueue.sample;

import dev.taskqueue.Retry;
import dev.taskqueue.Task;
import dev.taskqueue.TimeLimit;
import org.springframework.stereotype.Component;

/** Makes thumbnails of product images: slow work that belongs on a worker, not in a web request. */
@Component
public class Thumbnails {

    /** A thumbnail made from an image. */
    public record Thumbnail(String imageId, int width, String url) {
    }

    /** Image servers fail now and then: retry with backoff, but never past a minute of work. */
    @Task(name = "images.thumbnail", queue = "images", retry = @Retry(maxRetries = 3, delay = "500ms",
            excludes = IllegalArgumentException.class), timeLimit = @TimeLimit(soft = "30s", hard = "1m"))
    public Thumbnail make(String imageId, int width) throws InterruptedException {
        if (width <= 0 || width > 4096) {
            throw new IllegalArgumentException("width must be between 1 and 4096, got " + width);
        }
        Thread.sleep(200); // stands in for decoding, resizing and uploading the image
        return new Thumbnail(imageId, width, "https://cdn.example.com/thumbnails/" + imageId + "-" + width + ".webp");
    }
}
