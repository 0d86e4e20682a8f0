package dev.taskqueue.sample;

import java.util.List;

import dev.taskqueue.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Publishes a product gallery once every one of its thumbnails is made: the callback of a chord. */
@Component
public class Gallery {

    private static final Logger log = LoggerFactory.getLogger(Gallery.class);

    /** A published gallery: its thumbnails in the order the images were given. */
    public record Page(String title, List<Thumbnails.Thumbnail> thumbnails) {
    }

    /** Receives the results of the chord's header tasks, in submit order, as its first argument. */
    @Task(name = "images.gallery", queue = "images")
    public Page publish(List<Thumbnails.Thumbnail> thumbnails, String title) {
        log.info("Gallery '{}' published with {} thumbnails", title, thumbnails.size());
        return new Page(title, thumbnails);
    }
}
