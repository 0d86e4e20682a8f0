package dev.taskqueue.test.app;

import java.time.Clock;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.stereotype.Component;

/** An application whose tests use {@code @AutoConfigureTaskQueue}; it has a Clock of its own, injected by type. */
@SpringBootApplication
public class MailApplication {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** A bean that takes the application's Clock by type, as many do. */
    @Component
    public static class Stamps {

        public final Clock clock;

        public Stamps(Clock clock) {
            this.clock = clock;
        }
    }
}
