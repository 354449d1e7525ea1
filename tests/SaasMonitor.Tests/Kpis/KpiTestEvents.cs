using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Kpis;

/// <summary>Deterministic, realistic-looking events for KPI tests.</summary>
internal static class KpiTestEvents
{
    public static readonly DateTimeOffset Origin = new(2024, 3, 4, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Services = ["api", "web", "database"];
    private static readonly string[] Endpoints = ["/api/users", "/api/orders", "/login", "/health", "/api/search"];
    private static readonly int[] Statuses = [200, 200, 200, 201, 204, 301, 400, 404, 500, 503];

    /// <summary>Log-normal response times around a median of <paramref name="medianMs"/>.</summary>
    public static double[] ResponseTimes(int count, int seed, double medianMs = 120, double sigma = 0.9)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = medianMs * Math.Exp(sigma * Gaussian(random));
        }

        return values;
    }

    /// <summary>Events spread over <paramref name="hours"/> hours from <see cref="Origin"/>.</summary>
    public static List<LogEvent> Generate(int count, int seed, int hours = 72)
    {
        var random = new Random(seed);
        var events = new List<LogEvent>(count);
        for (var i = 0; i < count; i++)
        {
            var service = Services[random.Next(Services.Length)];
            var status = Statuses[random.Next(Statuses.Length)];
            var endpointIndex = random.Next(Endpoints.Length);
            var level = random.Next(20) switch
            {
                0 => LogLevels.Critical,
                < 3 => LogLevels.Error,
                < 5 => LogLevels.Warning,
                < 7 => LogLevels.Debug,
                _ => LogLevels.Info,
            };
            var hasRequest = service != "database" || random.Next(2) == 0;
            events.Add(new LogEvent
            {
                Id = $"e{i}",
                Timestamp = Origin.AddMilliseconds(random.NextDouble() * hours * 3_600_000),
                Level = level,
                Service = service,
                Endpoint = hasRequest ? Endpoints[endpointIndex] : null,
                StatusCode = hasRequest ? status : null,
                // Slower endpoints have higher medians, so the slowest ranking is well defined.
                ResponseTimeMs = hasRequest ? (20 + (endpointIndex * 40)) * Math.Exp(0.7 * Gaussian(random)) : null,
                UserId = random.Next(4) == 0 ? null : $"user-{random.Next(500)}",
            });
        }

        return events;
    }

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>The value at rank floor(q × (n − 1)) of the sorted values: the quantile the sketch approximates.</summary>
    public static double ExactQuantile(double[] sorted, double q) => sorted[(int)Math.Floor(q * (sorted.Length - 1))];
}
