package dev.taskqueue.dashboard.web;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.taskqueue.AmbiguousTaskIdException;
import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.UnreadableRecordException;
import dev.taskqueue.actuate.view.InvalidViewRequestException;
import dev.taskqueue.actuate.view.ViewNotFoundException;
import dev.taskqueue.actuate.view.ViewUnavailableException;
import dev.taskqueue.dashboard.stream.DashboardStreams;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * The dashboard API's errors as {@code {error: "what happened and what to do"}}: 400 for a request that names nothing
 * valid, 404 for what does not exist, 409 for a task id several queues have (with them, as {@code queues}) or an
 * action with nothing to do, 501 for a view this application's store cannot give, 503 when Redis does not answer,
 * 500 for a record taskqueue did not write. Always JSON, also for the event stream's route (whose request accepts
 * only events).
 */
@RestControllerAdvice(assignableTypes = { DashboardReadApi.class, DashboardActionApi.class, DashboardStreamApi.class })
public class DashboardErrors {

    @ExceptionHandler({ InvalidViewRequestException.class, IllegalArgumentException.class,
            MissingServletRequestParameterException.class, MethodArgumentTypeMismatchException.class })
    ResponseEntity<Map<String, Object>> invalid(Exception ex) {
        return error(HttpStatus.BAD_REQUEST, ex.getMessage());
    }

    @ExceptionHandler(ViewNotFoundException.class)
    ResponseEntity<Map<String, Object>> notFound(ViewNotFoundException ex) {
        return error(HttpStatus.NOT_FOUND, ex.getMessage());
    }

    @ExceptionHandler(AmbiguousTaskIdException.class)
    ResponseEntity<Map<String, Object>> ambiguous(AmbiguousTaskIdException ex) {
        ResponseEntity<Map<String, Object>> answer = error(HttpStatus.CONFLICT, ex.getMessage());
        answer.getBody().put("queues", ex.getQueues());
        return answer;
    }

    @ExceptionHandler(DashboardActionApi.NothingToDoException.class)
    ResponseEntity<Map<String, Object>> nothingToDo(RuntimeException ex) {
        return error(HttpStatus.CONFLICT, ex.getMessage());
    }

    @ExceptionHandler(ViewUnavailableException.class)
    ResponseEntity<Map<String, Object>> unavailable(ViewUnavailableException ex) {
        return error(HttpStatus.NOT_IMPLEMENTED, ex.getMessage());
    }

    @ExceptionHandler(BrokerUnavailableException.class)
    ResponseEntity<Map<String, Object>> brokerDown(BrokerUnavailableException ex) {
        return error(HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage());
    }

    @ExceptionHandler(UnreadableRecordException.class)
    ResponseEntity<Map<String, Object>> unreadable(UnreadableRecordException ex) {
        return error(HttpStatus.INTERNAL_SERVER_ERROR, ex.getMessage());
    }

    @ExceptionHandler(DashboardStreams.TooManyStreamsException.class)
    ResponseEntity<Map<String, Object>> tooManyStreams(RuntimeException ex) {
        return error(HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage());
    }

    private static ResponseEntity<Map<String, Object>> error(HttpStatus status, @Nullable String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message == null ? status.getReasonPhrase() : message);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(body);
    }
}
