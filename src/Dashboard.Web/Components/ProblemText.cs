using System.Text.Json;

namespace Dashboard.Web.Components;

/// <summary>The sentence a user reads from a refusal of the REST API: the problem's detail, else the body as it came.</summary>
internal static class ProblemText
{
    public static string Of(string body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("detail", out var detail)
                ? detail.GetString() ?? body
                : body;
        }
        catch (JsonException)
        {
            return body;
        }
    }
}
