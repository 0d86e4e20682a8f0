package dev.taskqueue.dashboard;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The conventions Spring Boot checks on its auto-configurations, on the dashboard's; its parts free of cycles; and
 * its components free of their wiring (and of Redis, which only the audit trail's implementation talks to).
 */
class DashboardArchitectureTests {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.taskqueue.dashboard");

    @Test
    void autoConfigurationsArePublicAndFinalWithPackagePrivateBeanMethods() {
        classes().that().areAnnotatedWith(AutoConfiguration.class).should().bePublic()
                .andShould().haveModifier(JavaModifier.FINAL).check(CLASSES);
        methods().that().areAnnotatedWith(Bean.class).should().notBePublic().andShould().notBePrivate()
                .andShould().notBeProtected().check(CLASSES);
    }

    @Test
    void partsAreFreeOfCycles() {
        slices().matching("dev.taskqueue.dashboard.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void componentsDoNotDependOnTheirWiring() {
        noClasses().that().resideOutsideOfPackage("dev.taskqueue.dashboard.autoconfigure..")
                .should().dependOnClassesThat().resideInAPackage("dev.taskqueue.dashboard.autoconfigure..")
                .check(CLASSES);
        noClasses().that().resideOutsideOfPackages("dev.taskqueue.dashboard.autoconfigure..")
                .should().dependOnClassesThat().resideInAPackage("dev.taskqueue.redis..").check(CLASSES);
    }

    @Test
    void onlyTheAccessesKnowSpringSecurity() {
        noClasses().that().doNotHaveSimpleName("SpringSecurityAccess")
                .should().dependOnClassesThat().resideInAPackage("org.springframework.security..").check(CLASSES);
    }
}
