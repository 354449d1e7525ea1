using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Search;

namespace SaasMonitor.Hosting;

/// <summary>Turns the domain's "your input is wrong" exceptions into 4xx problem details with the reason.</summary>
internal sealed class ProblemMapping(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title) = exception switch
        {
            InvalidQueryException => (StatusCodes.Status400BadRequest, "Invalid query"),
            DeadLetters.DeadLetterNotFoundException => (StatusCodes.Status404NotFound, "Dead letter not found"),
            Security.AccountException account => (account.Status, "Request refused"),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request"),
            ArgumentException => (StatusCodes.Status400BadRequest, "Invalid argument"),
            BusException => (StatusCodes.Status503ServiceUnavailable, "Bus unavailable"),
            _ => (0, ""),
        };
        if (status == 0 || httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = exception.Message },
        }).ConfigureAwait(false);
    }
}
