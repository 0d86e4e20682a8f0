package dev.taskqueue.sample;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.Workflows;
import dev.taskqueue.sample.Orders.Order;
import dev.taskqueue.sample.Stock.OutOfStockException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * The shop's HTTP API:
 * <pre>
 * POST /orders        {"email": "ada@example.com", "items": ["lamp"], "imageId": "img-42"}   -> 202, the order
 *                     (409 when an item is out of stock: nothing stored, no task sent)
 * GET  /orders/{id}   the order with the state and result of its tasks
 * POST /thumbnails    {"imageId": "img-42", "width": 200}                                     -> 202, the task
 * POST /galleries     {"title": "Lamps", "imageIds": ["img-1", "img-2"], "width": 200}        -> 202, the gallery task
 * GET  /tasks/{id}    any task's state, result or error
 * </pre>
 */
@RestController
public class ShopController {

    /** What POST /orders takes. */
    public record NewOrder(String email, List<String> items, String imageId) {
    }

    /** What POST /thumbnails takes. */
    public record NewThumbnail(String imageId, int width) {
    }

    /** What POST /galleries takes. */
    public record NewGallery(String title, List<String> imageIds, int width) {
    }

    private final TaskClient tasks;
    private final Checkout checkout;
    private final Orders orders;
    private final JsonMapper json;

    public ShopController(TaskClient tasks, Checkout checkout, Orders orders, JsonMapper json) {
        this.tasks = tasks;
        this.checkout = checkout;
        this.orders = orders;
        this.json = json;
    }

    @PostMapping("/orders")
    public ResponseEntity<Order> placeOrder(@RequestBody NewOrder request) {
        Order order = checkout.place(request);
        return ResponseEntity.accepted().location(URI.create("/orders/" + order.id())).body(order);
    }

    /** The order's transaction rolled back: its row, its outbox row and so its tasks are gone; say so. */
    @ExceptionHandler(OutOfStockException.class)
    public ProblemDetail outOfStock(OutOfStockException ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, "Order not placed: "
                + ex.getMessage() + ". Nothing was stored, and no receipt or thumbnail task was sent.");
        problem.setTitle("Out of stock");
        problem.setProperty("item", ex.item());
        return problem;
    }

    @GetMapping("/orders/{id}")
    public ResponseEntity<Map<String, Object>> order(@PathVariable String id) {
        return orders.find(id).map(order -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("order", order);
            body.put("receipt", describe(tasks.handle(order.receiptTask()).info()));
            body.put("thumbnail", describe(tasks.handle(order.thumbnailTask()).info()));
            return ResponseEntity.ok(body);
        }).orElse(ResponseEntity.notFound().build());
    }

    @PostMapping("/thumbnails")
    public ResponseEntity<Map<String, Object>> makeThumbnail(@RequestBody NewThumbnail request) {
        TaskHandle<Thumbnails.Thumbnail> handle = tasks.submit(Thumbnails::make, request.imageId(),
                request.width());
        return ResponseEntity.accepted().location(URI.create("/tasks/" + handle.id()))
                .body(Map.of("taskId", handle.id()));
    }

    /**
     * A chord: one thumbnail task per image, run in parallel by any worker, then the gallery task once, with every
     * thumbnail in order.
     */
    @PostMapping("/galleries")
    public ResponseEntity<Map<String, Object>> publishGallery(@RequestBody NewGallery request) {
        List<TaskCall<Thumbnails.Thumbnail>> thumbnails = request.imageIds().stream()
                .map(imageId -> TaskCall.of(Thumbnails::make, imageId, request.width())).toList();
        TaskHandle<Gallery.Page> gallery = tasks.submit(
                Workflows.chord(Workflows.group(thumbnails), TaskCall.partial(Gallery::publish, request.title())));
        return ResponseEntity.accepted().location(URI.create("/tasks/" + gallery.id()))
                .body(Map.of("taskId", gallery.id()));
    }

    @GetMapping("/tasks/{id}")
    public Map<String, Object> task(@PathVariable String id) {
        return describe(tasks.handle(id).info());
    }

    /** Waits up to 5 s for a thumbnail: how a caller that needs the result can block on it. */
    @GetMapping("/thumbnails/{imageId}/{width}")
    public Thumbnails.Thumbnail thumbnailNow(@PathVariable String imageId, @PathVariable int width) {
        return tasks.submit(Thumbnails::make, imageId, width).get(Duration.ofSeconds(5));
    }

    private Map<String, Object> describe(TaskInfo info) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", info.id());
        body.put("task", info.name());
        body.put("state", info.state());
        body.put("worker", info.worker());
        body.put("startedAt", info.startedAt());
        body.put("finishedAt", info.finishedAt());
        if (info.resultJson() != null) {
            body.put("result", json.readTree(info.resultJson()));
        }
        if (info.error() != null) {
            body.put("error", info.error().summary());
        }
        return body;
    }
}
