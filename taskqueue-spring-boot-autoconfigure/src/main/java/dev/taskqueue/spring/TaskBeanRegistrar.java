package dev.taskqueue.spring;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.taskqueue.TaskDefinitionException;
import dev.taskqueue.internal.TaskRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.aop.framework.AopInfrastructureBean;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.util.ClassUtils;

/**
 * Registers the {@link dev.taskqueue.Task @Task} methods of every bean, as the bean is initialised, in the
 * {@link TaskRegistry}.
 *
 * <ol>
 * <li>It looks at the user class behind proxies ({@code AopUtils.getTargetClass}, {@code ClassUtils.getUserClass}),
 * where the annotations are;</li>
 * <li>it registers the bean itself, proxy included, so that advice such as transactions applies to task runs;
 * it runs after the ordered post-processors (it is not {@code Ordered}), so it sees the final proxy;</li>
 * <li>it resolves the registry only when it meets the first task bean, so that it creates no bean early;</li>
 * <li>a method that cannot be a task throws {@link TaskDefinitionException}, which fails the startup with a
 * message naming the bean and the method.</li>
 * </ol>
 * Tasks run on worker threads, outside any request or session: a task bean must be a singleton.
 */
public final class TaskBeanRegistrar implements BeanPostProcessor, BeanFactoryAware {

    private static final Logger log = LoggerFactory.getLogger(TaskBeanRegistrar.class);

    private final Supplier<TaskRegistry> registry;
    private final Set<Class<?>> withoutTasks = ConcurrentHashMap.newKeySet();
    private @Nullable ConfigurableListableBeanFactory beanFactory;

    /** @param registry the registry, resolved on first use */
    public TaskBeanRegistrar(Supplier<TaskRegistry> registry) {
        this.registry = registry;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        if (beanFactory instanceof ConfigurableListableBeanFactory listable) {
            this.beanFactory = listable;
        }
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof AopInfrastructureBean || bean instanceof TaskRegistry) {
            return bean;
        }
        Class<?> targetClass = ClassUtils.getUserClass(AopUtils.getTargetClass(bean));
        if (withoutTasks.contains(targetClass)) {
            return bean;
        }
        if (!TaskRegistry.hasTaskMethods(targetClass)) {
            withoutTasks.add(targetClass);
            return bean;
        }
        checkSingleton(beanName, targetClass);
        int count = registry.get().register(beanName, bean, targetClass);
        log.debug("Registered {} task(s) of bean '{}' ({})", count, beanName, targetClass.getName());
        return bean;
    }

    private void checkSingleton(String beanName, Class<?> targetClass) {
        ConfigurableListableBeanFactory factory = beanFactory;
        if (factory != null && factory.containsBeanDefinition(beanName)
                && !factory.getMergedBeanDefinition(beanName).isSingleton()) {
            throw new TaskDefinitionException("Bean '" + beanName + "' (" + targetClass.getName() + ") declares @Task "
                    + "methods but is not a singleton (scope '" + factory.getMergedBeanDefinition(beanName).getScope()
                    + "'): tasks run on worker threads, outside any request or session. Move the @Task methods to a "
                    + "singleton bean.");
        }
    }
}
