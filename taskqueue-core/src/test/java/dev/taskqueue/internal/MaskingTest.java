package dev.taskqueue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.taskqueue.DeclaredTask;
import dev.taskqueue.Sensitive;
import dev.taskqueue.Task;
import dev.taskqueue.ValueMasker;
import dev.taskqueue.testing.TaskQueueFixture;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.StringNode;

/** {@link Sensitive} values found by {@link SensitivePaths} and masked by {@link Masking}, here and across services. */
class MaskingTest {

    public record Card(String holder, @Sensitive String number) {
    }

    public record Order(String id, List<Card> cards, Map<String, Card> byName, Card main) {
    }

    public static class Payments {

        @Task(name = "pay")
        public String pay(String customer, @Sensitive String pin, Order order) {
            return "ok";
        }

        @Sensitive
        @Task(name = "token")
        public String token(String customer) {
            return "secret";
        }

        @Task(name = "card")
        public Card card(String customer) {
            return new Card(customer, "4111");
        }

        @Task(name = "plain")
        public String plain(String value) {
            return value;
        }
    }

    private static final String ORDER_ARGS = """
            ["ada", "1234", {"id": "o1", "cards": [{"holder": "ada", "number": "4111"}, {"holder": "bob", \
            "number": null}], "byName": {"x": {"holder": "x", "number": "5500"}}, \
            "main": {"holder": "ada", "number": "4111"}}]""";

    private final JsonMapper mapper = JsonMapper.builder().build();

    private TaskRegistry registry() {
        TaskRegistry registry = new TaskRegistry(mapper, "default");
        registry.register("payments", new Payments(), Payments.class);
        return registry;
    }

    @Test
    void sensitivePathsFollowRecordsListsAndMaps() {
        DeclaredTask pay = TaskCatalog.local(registry(), mapper).find("pay");
        assertThat(pay.parameters()).extracting(DeclaredTask.Parameter::sensitive).containsExactly(Set.of(),
                Set.of(""), Set.of("cards.*.number", "byName.*.number", "main.number"));
        assertThat(pay.parameters().get(1).entirelySensitive()).isTrue();
        assertThat(pay.sensitiveResult()).isEmpty();
        assertThat(TaskCatalog.local(registry(), mapper).find("token").sensitiveResult()).containsExactly("");
        assertThat(TaskCatalog.local(registry(), mapper).find("card").sensitiveResult()).containsExactly("number");
    }

    @Test
    void argumentsAndResultsOfALocalTaskAreMasked() {
        Masking masking = new Masking(TaskCatalog.local(registry(), mapper), ValueMasker.DEFAULT, mapper);

        assertThat(mapper.readTree(masking.arguments("pay", ORDER_ARGS))).isEqualTo(mapper.readTree("""
                ["ada", "******", {"id": "o1", "cards": [{"holder": "ada", "number": "******"}, {"holder": "bob", \
                "number": null}], "byName": {"x": {"holder": "x", "number": "******"}}, \
                "main": {"holder": "ada", "number": "******"}}]"""));
        assertThat(masking.result("token", "\"secret\"")).isEqualTo("\"******\"");
        assertThat(masking.result("card", "{\"holder\":\"ada\",\"number\":\"4111\"}"))
                .isEqualTo("{\"holder\":\"ada\",\"number\":\"******\"}");
        assertThat(masking.result("pay", "\"ok\"")).isEqualTo("\"ok\"");
        assertThat(masking.arguments("plain", "[\"visible\"]")).isEqualTo("[\"visible\"]");
        assertThat(masking.arguments("unknown.task", "[\"visible\"]")).isEqualTo("[\"visible\"]");
        assertThat(masking.arguments("pay", null)).isNull();
        assertThat(masking.arguments("pay", "[\"ada\", \"12… cut")).isEqualTo("\"******\"");
    }

    @Test
    void aMaskerBeanDecidesWhatIsShown() {
        ValueMasker lastDigits = (task, path, value) -> StringNode.valueOf(task + ":" + path + ":"
                + value.asString().substring(value.asString().length() - 2));
        Masking masking = new Masking(TaskCatalog.local(registry(), mapper), lastDigits, mapper);

        assertThat(masking.arguments("pay", "[\"ada\", \"1234\", null]")).isEqualTo("[\"ada\",\"pay:pin:34\",null]");
        assertThat(masking.result("card", "{\"number\":\"4111\"}")).isEqualTo("{\"number\":\"card:result.number:11\"}");
    }

    @Test
    void anotherServiceMasksWhatTheWorkersPublished() {
        try (TaskQueueFixture tq = new TaskQueueFixture(new Payments())) {
            new TaskCatalog(registry(), tq.stores.catalog(), mapper, Clock.systemUTC()).publish("worker-1");
            TaskCatalog elsewhere = new TaskCatalog(new TaskRegistry(mapper, "default"), tq.stores.catalog(), mapper,
                    Clock.systemUTC());
            Masking masking = new Masking(elsewhere, ValueMasker.DEFAULT, mapper);

            assertThat(elsewhere.find("pay").parameters().get(2).sensitive()).contains("main.number");
            assertThat(masking.arguments("pay", "[\"ada\", \"1234\", {\"main\": {\"number\": \"4111\"}}]"))
                    .isEqualTo("[\"ada\",\"******\",{\"main\":{\"number\":\"******\"}}]");
            assertThat(masking.result("token", "\"secret\"")).isEqualTo("\"******\"");
        }
    }
}
