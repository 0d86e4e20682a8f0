package dev.taskqueue.readme.shop;

/**
 * What {@link Thumbnails#make} returns: a record, which travels as JSON.
 *
 * @param imageId the image it was made from
 * @param width its width in pixels
 */
record Thumbnail(String imageId, int width) {
}
