package dev.taskqueue;

import java.io.Serializable;

/**
 * A method reference to a {@link Task} method, such as {@code Thumbnails::make}, that lets the compiler check a
 * submission's arguments and result type: {@code taskClient.submit(Thumbnails::make, "img-42", 200)} returns a
 * {@code TaskHandle<Thumbnail>}.
 *
 * <p>Nobody calls these interfaces: the client reads which method the reference names (through the
 * {@link java.lang.invoke.SerializedLambda} the compiler generates for a serializable method reference; nothing
 * is ever serialized) and submits the task declared on that method. The first type parameter is the bean class.
 */
public interface TaskMethod extends Serializable {

    /** A task method with 0 parameters and a result. */
    @FunctionalInterface
    interface Function0<B, R> extends TaskMethod {
        R apply(B bean) throws Exception;
    }

    /** A task method with 0 parameters and no result. */
    @FunctionalInterface
    interface Procedure0<B> extends TaskMethod {
        void accept(B bean) throws Exception;
    }

    /** A task method with 1 parameter and a result. */
    @FunctionalInterface
    interface Function1<B, A1, R> extends TaskMethod {
        R apply(B bean, A1 a1) throws Exception;
    }

    /** A task method with 1 parameter and no result. */
    @FunctionalInterface
    interface Procedure1<B, A1> extends TaskMethod {
        void accept(B bean, A1 a1) throws Exception;
    }

    /** A task method with 2 parameters and a result. */
    @FunctionalInterface
    interface Function2<B, A1, A2, R> extends TaskMethod {
        R apply(B bean, A1 a1, A2 a2) throws Exception;
    }

    /** A task method with 2 parameters and no result. */
    @FunctionalInterface
    interface Procedure2<B, A1, A2> extends TaskMethod {
        void accept(B bean, A1 a1, A2 a2) throws Exception;
    }

    /** A task method with 3 parameters and a result. */
    @FunctionalInterface
    interface Function3<B, A1, A2, A3, R> extends TaskMethod {
        R apply(B bean, A1 a1, A2 a2, A3 a3) throws Exception;
    }

    /** A task method with 3 parameters and no result. */
    @FunctionalInterface
    interface Procedure3<B, A1, A2, A3> extends TaskMethod {
        void accept(B bean, A1 a1, A2 a2, A3 a3) throws Exception;
    }

    /** A task method with 4 parameters and a result. */
    @FunctionalInterface
    interface Function4<B, A1, A2, A3, A4, R> extends TaskMethod {
        R apply(B bean, A1 a1, A2 a2, A3 a3, A4 a4) throws Exception;
    }

    /** A task method with 4 parameters and no result. */
    @FunctionalInterface
    interface Procedure4<B, A1, A2, A3, A4> extends TaskMethod {
        void accept(B bean, A1 a1, A2 a2, A3 a3, A4 a4) throws Exception;
    }

    /** A task method with 5 parameters and a result. */
    @FunctionalInterface
    interface Function5<B, A1, A2, A3, A4, A5, R> extends TaskMethod {
        R apply(B bean, A1 a1, A2 a2, A3 a3, A4 a4, A5 a5) throws Exception;
    }

    /** A task method with 5 parameters and no result. */
    @FunctionalInterface
    interface Procedure5<B, A1, A2, A3, A4, A5> extends TaskMethod {
        void accept(B bean, A1 a1, A2 a2, A3 a3, A4 a4, A5 a5) throws Exception;
    }

    /** A task method with 6 parameters and a result. */
    @FunctionalInterface
    interface Function6<B, A1, A2, A3, A4, A5, A6, R> extends TaskMethod {
        R apply(B bean, A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6) throws Exception;
    }

    /** A task method with 6 parameters and no result. */
    @FunctionalInterface
    interface Procedure6<B, A1, A2, A3, A4, A5, A6> extends TaskMethod {
        void accept(B bean, A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6) throws Exception;
    }
}
