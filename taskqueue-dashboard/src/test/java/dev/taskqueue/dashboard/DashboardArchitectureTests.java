package dev.taskqueue.dashboard;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.taskqueue.dashboard.web.Requires;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;

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

    /** The guard checks the right each route declares (and refuses one that declares none): every route has one. */
    @Test
    void everyRouteDeclaresTheRightItNeeds() {
        methods().that().areAnnotatedWith(GetMapping.class).or().areAnnotatedWith(PostMapping.class)
                .or().areAnnotatedWith(DeleteMapping.class).should().beAnnotatedWith(Requires.class).check(CLASSES);
    }

    @Test
    void onlyTheAccessesKnowSpringSecurity() {
        noClasses().that().doNotHaveSimpleName("SpringSecurityAccess")
                .should().dependOnClassesThat().resideInAPackage("org.springframework.security..").check(CLASSES);
    }
}
