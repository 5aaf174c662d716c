package dev.bsg.gateway.auth;

import dev.bsg.gateway.core.Principal;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.http.Interceptor;
import dev.bsg.protocol.errors.ApiError;

/** The authentication links of the chain: any valid credential for inference, admin rights for the admin API. */
public final class Guards {
    private Guards() {}

    public static Interceptor caller(Authenticator authenticator) {
        return (exchange, chain) -> {
            exchange.principal(
                    authenticator.authenticate(exchange.header("x-api-key"), exchange.header("authorization")));
            chain.proceed(exchange);
        };
    }

    public static Interceptor admin(Authenticator authenticator) {
        return (exchange, chain) -> {
            Principal principal =
                    authenticator.authenticate(exchange.header("x-api-key"), exchange.header("authorization"));
            if (!principal.admin())
                throw new HttpError(
                        ApiError.permission(
                                "admin rights required: use an admin key from admin.api_keys, or sign in as a user listed in admin.emails or admin.groups"));
            exchange.principal(principal);
            chain.proceed(exchange);
        };
    }
}
