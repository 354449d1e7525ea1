using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Search;

namespace SaasMonitor.Hosting;

/// <summary>
/// Turns the domain's "your input is wrong" exceptions into 4xx problem details with the reason, an unreachable bus or search store into
/// 503, and a full disk into 507 (and tells <see cref="DiskSpace"/>, so readiness reports it).
/// </summary>
internal sealed class ProblemMapping(IProblemDetailsService problems, DiskSpace disk) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (DiskSpace.IsDiskFull(exception))
        {
            disk.ReportFull();
        }

        var (status, title) = exception switch
        {
            _ when DiskSpace.IsDiskFull(exception) => (StatusCodes.Status507InsufficientStorage, "Insufficient storage"),
            InvalidQueryException => (StatusCodes.Status400BadRequest, "Invalid query"),
            SaasMonitor.Core.Alerting.InvalidAlertException => (StatusCodes.Status400BadRequest, "Invalid alerting request"),
            DeadLetters.DeadLetterNotFoundException => (StatusCodes.Status404NotFound, "Dead letter not found"),
            Security.AccountException account => (account.Status, "Request refused"),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request"),
            ArgumentException => (StatusCodes.Status400BadRequest, "Invalid argument"),
            BusException => (StatusCodes.Status503ServiceUnavailable, "Bus unavailable"),
            SearchUnavailableException => (StatusCodes.Status503ServiceUnavailable, "Search unavailable"),
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
            ProblemDetails =
            {
                Status = status,
                Title = title,
                Detail = status == StatusCodes.Status507InsufficientStorage
                    ? $"The disk of the data folder ({disk.DataDirectory}) is full: nothing of this request was stored. Free space and send it again; ingest resumes by itself."
                    : exception.Message,
            },
        }).ConfigureAwait(false);
    }
}
