using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SaasMonitor.Hosting.Security;

/// <summary>
/// Headers on every response: a Content-Security-Policy that allows no inline or eval script and no framing, no MIME
/// sniffing, a same-origin referrer, no caching of API answers (they hold log content), and the endpoint's own
/// <see cref="AnswerHeader"/>s. It runs first, so that refusals before any other middleware carry them too.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    internal const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    private static readonly object NonceKey = new();

    /// <summary>
    /// A fresh nonce that this response's policy allows on script tags: for a page whose library writes its own inline
    /// start-up script (the API reference). Nothing else on the response may run inline.
    /// </summary>
    public static string ScriptNonce(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items[NonceKey] is not string nonce)
        {
            nonce = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));
            context.Items[NonceKey] = nonce;
        }

        return nonce;
    }

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = http.Items[NonceKey] is string nonce
                ? ContentSecurityPolicy.Replace("script-src 'self'", $"script-src 'self' 'nonce-{nonce}'", StringComparison.Ordinal)
                : ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            if (http.Request.Path.StartsWithSegments("/api") && !headers.ContainsKey("Cache-Control"))
            {
                headers.CacheControl = "no-store";
            }

            foreach (var header in http.GetEndpoint()?.Metadata.GetOrderedMetadata<AnswerHeader>() ?? [])
            {
                headers[header.Name] = header.Value;
            }

            return Task.CompletedTask;
        }, context);
        return next(context);
    }
}

/// <summary>
/// A header an endpoint puts on every answer, the refusals of authentication and authorization included (an endpoint
/// filter would miss those): declare it with <see cref="AnswerHeaders.WithAnswerHeader"/>.
/// </summary>
public sealed record AnswerHeader(string Name, string Value);

public static class AnswerHeaders
{
    public static TBuilder WithAnswerHeader<TBuilder>(this TBuilder builder, string name, string value)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AnswerHeader(name, value));
}
