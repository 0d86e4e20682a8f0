package dev.taskqueue.sample;

import dev.taskqueue.Task;
import org.springframework.stereotype.Component;

/** Makes thumbnails of product images: slow work that belongs on a worker, not in a web request. */
@Component
public class Thumbnails {

    /** A thumbnail made from an image. */
    public record Thumbnail(String imageId, int width, String url) {
    }

    @Task(name = "images.thumbnail", queue = "images")
    public Thumbnail make(String imageId, int width) throws InterruptedException {
        if (width <= 0 || width > 4096) {
            throw new IllegalArgumentException("width must be between 1 and 4096, got " + width);
        }
        Thread.sleep(200); // stands in for decoding, resizing and uploading the image
        return new Thumbnail(imageId, width, "https://cdn.example.com/thumbnails/" + imageId + "-" + width + ".webp");
    }
}
