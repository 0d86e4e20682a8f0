package dev.taskqueue.readme.masking;

import dev.taskqueue.Sensitive;
import dev.taskqueue.Task;
import dev.taskqueue.ValueMasker;
import tools.jackson.databind.node.StringNode;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

// tag::sensitive[]
record Card(String holder, @Sensitive String number) {
}

@Component
class Cards {

    @Task(name = "cards.charge")
    String charge(Card card, @Sensitive String cvc, long cents) {
        return "charged";
    }
}

@Configuration(proxyBeanMethods = false)
class Masks {

    @Bean // optional: by default every sensitive value reads ******
    ValueMasker lastFourDigits() {
        return (taskName, path, value) -> path.endsWith("number") && value.isString()
                ? StringNode.valueOf("****" + value.asString().substring(Math.max(0, value.asString().length() - 4)))
                : StringNode.valueOf(ValueMasker.MASK);
    }
}
// end::sensitive[]
