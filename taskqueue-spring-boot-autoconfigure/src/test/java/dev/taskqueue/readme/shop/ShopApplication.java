package dev.taskqueue.readme.shop;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The application the README's tour and examples belong to, as a user's would be: the tests the README shows start
 * it. Its only bean is {@link Thumbnails}; the other classes of this package are here to be compiled.
 */
@SpringBootApplication
class ShopApplication {
}
