package dev.taskqueue.test;

import java.time.Duration;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;

/** Where Spring Boot's Redis auto-configuration connects in a test: the {@link TestRedis}, with its credentials. */
final class TestRedisConnectionDetails implements DataRedisConnectionDetails {

    @Override
    public @Nullable String getUsername() {
        RedisCredentials credentials = credentials();
        return credentials != null && credentials.hasUsername() ? credentials.getUsername() : null;
    }

    @Override
    public @Nullable String getPassword() {
        RedisCredentials credentials = credentials();
        return credentials != null && credentials.hasPassword() ? new String(credentials.getPassword()) : null;
    }

    @Override
    public Standalone getStandalone() {
        RedisURI uri = TestRedis.uri();
        return Standalone.of(uri.getHost(), uri.getPort(), uri.getDatabase());
    }

    private static @Nullable RedisCredentials credentials() {
        RedisCredentialsProvider provider = TestRedis.uri().getCredentialsProvider();
        if (provider == null) {
            return null;
        }
        return provider instanceof RedisCredentialsProvider.ImmediateRedisCredentialsProvider immediate
                ? immediate.resolveCredentialsNow() : provider.resolveCredentials().block(Duration.ofSeconds(5));
    }
}
