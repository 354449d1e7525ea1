using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace SaasMonitor.Hosting;

/// <summary>
/// A request target (path and query) longer than <see cref="MaxTargetLength"/> is refused with 414 and a reason, as
/// problem details. The server itself reads request lines up to <see cref="MaxRequestLineSize"/>, so that every target
/// between the two gets the reason instead of the server's bare 414.
/// </summary>
internal static class RequestTargetLimit
{
    public const int MaxTargetLength = 8 * 1024;
    private const int MaxRequestLineSize = 64 * 1024;

    public static void AddRequestTargetLimit(this IServiceCollection services) =>
        services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestLineSize = MaxRequestLineSize);

    public static void UseRequestTargetLimit(this WebApplication app) => app.Use(async (context, next) =>
    {
        var length = context.Request.Path.Value?.Length + context.Request.QueryString.Value?.Length ?? 0;
        if (length <= MaxTargetLength)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        await Results.Problem(
            statusCode: StatusCodes.Status414UriTooLong,
            title: "URI too long",
            detail: $"The path and query are {length} characters long, over the limit of {MaxTargetLength}; send fewer or shorter query parameters.")
            .ExecuteAsync(context).ConfigureAwait(false);
    });
}
