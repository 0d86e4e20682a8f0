package dev.taskqueue;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.util.stream.Stream;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.domain.PackageMatchers;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;

/** How the engine's packages depend on each other. */
class PackageArchitectureTests {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.taskqueue");

    /**
     * Each package can be read, tested and changed on its own terms: the client and the worker both use the
     * workflow engine, neither the other.
     */
    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("dev.taskqueue.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    /**
     * What users import ({@code dev.taskqueue}) speaks in its own types: the stores' interfaces and their Redis
     * implementations may change without changing a signature users compiled against.
     */
    @Test
    void publicApiExposesNoStoreTypes() {
        codeUnits().that().arePublic().and().areDeclaredInClassesThat().resideInAPackage("dev.taskqueue")
                .and().areDeclaredInClassesThat().arePublic()
                .should(exposeNoTypeOf("dev.taskqueue.broker..", "dev.taskqueue.redis.."))
                .check(CLASSES);
    }

    /** Neither returns, takes nor throws a type of these packages (type arguments included). */
    static ArchCondition<JavaCodeUnit> exposeNoTypeOf(String... packages) {
        return new ArchCondition<>("expose no type of " + String.join(", ", packages)) {
            @Override
            public void check(JavaCodeUnit unit, ConditionEvents events) {
                Stream.concat(Stream.concat(Stream.of(unit.getReturnType()), unit.getParameterTypes().stream()),
                        unit.getThrowsClause().getTypes().stream())
                        .flatMap((JavaType type) -> type.getAllInvolvedRawTypes().stream())
                        .filter((JavaClass type) -> PackageMatchers.of(packages).test(type.getPackageName()))
                        .distinct()
                        .forEach(type -> events.add(SimpleConditionEvent.violated(unit, unit.getFullName()
                                + " exposes " + type.getName())));
            }
        };
    }
}
