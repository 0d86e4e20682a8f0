package dev.taskqueue.autoconfigure;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.taskqueue.redis.RedisBroker;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The conventions Spring Boot checks on its own auto-configurations, checked on ours; and no package cycles, in
 * this module and the core together.
 */
class AutoConfigurationArchitectureTests {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.taskqueue.autoconfigure", "dev.taskqueue.spring", "dev.taskqueue.actuate");

    /** Every class of the engine and its wiring, without tests (the core's test fixture comes as a jar). */
    private static final JavaClasses ALL_CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("dev.taskqueue");

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("dev.taskqueue.(*)..").should().beFreeOfCycles().check(ALL_CLASSES);
    }

    /**
     * The endpoint, the health indicator, the meters and the Spring glue talk to the stores' interfaces; only the
     * auto-configurations, which build the stores, know they are Redis.
     */
    @Test
    void componentsDoNotDependOnRedis() {
        noClasses().that().resideOutsideOfPackage("dev.taskqueue.autoconfigure..")
                .should().dependOnClassesThat().resideInAPackage("dev.taskqueue.redis..")
                .check(CLASSES);
    }

    /**
     * Everything takes the store it needs through its interface: only the auto-configuration that builds the Redis
     * stores names the Redis broker, and nothing asks whether a store is it.
     */
    @Test
    void onlyTheAutoConfigurationNamesTheRedisBroker() {
        noClasses().that().resideOutsideOfPackage("dev.taskqueue.redis..")
                .and().doNotBelongToAnyOf(TaskQueueAutoConfiguration.class)
                .should().dependOnClassesThat().belongToAnyOf(RedisBroker.class)
                .check(ALL_CLASSES);
        noClasses().should(checkInstanceOf(RedisBroker.class)).check(ALL_CLASSES);
    }

    /** An {@code instanceof} (or a pattern of it) on {@code type}, anywhere in the class. */
    private static ArchCondition<JavaClass> checkInstanceOf(Class<?> type) {
        return new ArchCondition<>("check whether an object is a " + type.getSimpleName()) {
            @Override
            public void check(JavaClass javaClass, ConditionEvents events) {
                javaClass.getCodeUnits().stream().flatMap(unit -> unit.getInstanceofChecks().stream())
                        .filter(check -> check.getRawType().isEquivalentTo(type))
                        .forEach(check -> events.add(SimpleConditionEvent.satisfied(check, check.getOwner().getFullName()
                                + " checks whether an object is a " + type.getName() + " "
                                + check.getSourceCodeLocation())));
            }
        };
    }

    @Test
    void autoConfigurationsArePublicAndFinal() {
        classes().that().areAnnotatedWith(AutoConfiguration.class)
                .should().bePublic().andShould().haveModifier(JavaModifier.FINAL)
                .check(CLASSES);
    }

    @Test
    void beanMethodsAreNotPublic() {
        methods().that().areAnnotatedWith(Bean.class).should().notBePublic().check(CLASSES);
    }

    @Test
    void beanPostProcessorBeanMethodsAreStatic() {
        methods().that().areAnnotatedWith(Bean.class).and().haveRawReturnType(
                com.tngtech.archunit.base.DescribedPredicate.describe("a BeanPostProcessor",
                        type -> type.isAssignableTo(BeanPostProcessor.class)))
                .should().beStatic().check(CLASSES);
    }
}
