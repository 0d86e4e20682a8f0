package dev.taskqueue.readme.shop;

import dev.taskqueue.Task;

import org.springframework.stereotype.Component;

// tag::thumbnails[]
@Component
class Thumbnails {
    @Task(name = "images.thumbnail", queue = "images")
    Thumbnail make(String imageId, int width) {
        return new Thumbnail(imageId, width);
    }
}
// end::thumbnails[]
