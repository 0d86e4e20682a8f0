package dev.taskqueue.internal;

import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.MethodType;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

import dev.taskqueue.Task;
import dev.taskqueue.TaskMethod;

/**
 * Finds the {@link Task} method a {@link TaskMethod} reference names, such as {@code Thumbnails::make}.
 *
 * <p>The compiler gives every serializable method reference a {@code writeReplace} method returning a
 * {@link SerializedLambda}: a description of the referenced method (class, name, descriptor). We call it
 * reflectively and read the description; nothing is serialized. The answer is cached per reference class, so
 * the reflection runs once per call site.
 */
public final class TaskMethods {

    /** The method a reference names, its task name, and the type its result decodes to. */
    public record Resolved(Method method, String taskName, Type resultType) {
    }

    /** Per reference class, filled on first use; a ClassValue does not keep the class (and its loader) alive. */
    private static final ClassValue<AtomicReference<Resolved>> RESOLVED = new ClassValue<>() {
        @Override
        protected AtomicReference<Resolved> computeValue(Class<?> referenceClass) {
            return new AtomicReference<>();
        }
    };

    private TaskMethods() {
    }

    /** The task method {@code reference} names. */
    public static Resolved resolve(TaskMethod reference) {
        AtomicReference<Resolved> holder = RESOLVED.get(reference.getClass());
        Resolved resolved = holder.get();
        if (resolved == null) {
            resolved = resolveUncached(reference);
            holder.set(resolved);
        }
        return resolved;
    }

    private static Resolved resolveUncached(TaskMethod reference) {
        SerializedLambda lambda = serializedForm(reference);
        if (lambda.getImplMethodName().startsWith("lambda$")) {
            throw new IllegalArgumentException("Pass a method reference to a @Task method, such as Thumbnails::make, "
                    + "not a lambda: the task is identified by the method the reference names.");
        }
        int kind = lambda.getImplMethodKind();
        if (kind != MethodHandleInfo.REF_invokeVirtual && kind != MethodHandleInfo.REF_invokeInterface) {
            throw new IllegalArgumentException("Pass a reference to an instance method of the task's bean class, "
                    + "such as Thumbnails::make; " + lambda.getImplClass().replace('/', '.') + "::"
                    + lambda.getImplMethodName() + " is not one.");
        }
        Method method = findMethod(reference.getClass().getClassLoader(), lambda);
        Task task = TaskDeclarations.findTaskAnnotation(method);
        if (task == null) {
            throw new IllegalArgumentException(TaskDeclarations.describe(method) + " is not annotated with @Task: "
                    + "only @Task methods can be submitted.");
        }
        return new Resolved(method, TaskDeclarations.taskName(method, task), TaskDeclarations.resultType(method));
    }

    private static SerializedLambda serializedForm(TaskMethod reference) {
        try {
            Method writeReplace = reference.getClass().getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            return (SerializedLambda) writeReplace.invoke(reference);
        }
        catch (ReflectiveOperationException | RuntimeException ex) {
            throw new IllegalArgumentException("Could not read which method " + reference.getClass().getName()
                    + " refers to; pass a method reference such as Thumbnails::make.", ex);
        }
    }

    private static Method findMethod(ClassLoader loader, SerializedLambda lambda) {
        String className = lambda.getImplClass().replace('/', '.');
        try {
            Class<?> owner = Class.forName(className, false, loader);
            MethodType type = MethodType.fromMethodDescriptorString(lambda.getImplMethodSignature(), loader);
            for (Class<?> c = owner; c != null; c = c.getSuperclass()) {
                for (Method m : c.getDeclaredMethods()) {
                    if (m.getName().equals(lambda.getImplMethodName())
                            && m.getReturnType() == type.returnType()
                            && Arrays.equals(m.getParameterTypes(), type.parameterArray())) {
                        return m;
                    }
                }
            }
            return owner.getMethod(lambda.getImplMethodName(), type.parameterArray());
        }
        catch (ReflectiveOperationException | TypeNotPresentException ex) {
            throw new IllegalArgumentException("Could not find " + className + "." + lambda.getImplMethodName()
                    + lambda.getImplMethodSignature() + " for a task method reference.", ex);
        }
    }
}
