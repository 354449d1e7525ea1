using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Prometheus;

namespace SaasMonitor.Hosting;

/// <summary>HTTP metrics with the reference design's names; the endpoint label is the route template, so its cardinality stays bounded.</summary>
internal static class HttpMetrics
{
    private static readonly Counter Requests = Metrics.CreateCounter(
        "http_requests_total", "HTTP requests served", "method", "endpoint", "status_code");

    private static readonly Histogram Latency = Metrics.CreateHistogram(
        "http_request_latency_seconds", "HTTP request latency", new HistogramConfiguration
        {
            LabelNames = ["method", "endpoint"],
            Buckets = Histogram.ExponentialBuckets(0.001, 2, 14),
        });

    private static readonly Histogram ResponseSize = Metrics.CreateHistogram(
        "http_response_size_bytes", "HTTP response size", new HistogramConfiguration
        {
            LabelNames = ["method", "endpoint"],
            Buckets = Histogram.ExponentialBuckets(64, 4, 10),
        });

    private static readonly Gauge Active = Metrics.CreateGauge("http_active_connections", "HTTP requests in progress");

    public static void UseReferenceHttpMetrics(this WebApplication app) => app.Use(async (context, next) =>
    {
        var started = Stopwatch.GetTimestamp();
        Active.Inc();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            Active.Dec();
            var endpoint = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            var method = context.Request.Method;
            Requests.WithLabels(method, endpoint, context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
            Latency.WithLabels(method, endpoint).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            if (context.Response.ContentLength is { } length)
            {
                ResponseSize.WithLabels(method, endpoint).Observe(length);
            }
        }
    });
}
