using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Parser.Worker;

/// <summary>Configuration section "SaasMonitor:Parsing": how the parser reads text from particular sources.</summary>
public sealed class ParsingOptions : IValidatableObject
{
    public const string Section = "SaasMonitor:Parsing";

    /// <summary>
    /// Per source, a regular expression that a line starting a new event matches; the lines that do not match join the
    /// event before them (still bounded in lines and bytes). Sources not named here use the general rules: indented
    /// lines, stack-trace lines, and lines with neither timestamp nor level in a timestamped stream.
    /// </summary>
    public Dictionary<string, string> MultiLineStart { get; set; } = [];

    /// <summary>The start patterns compiled, by source.</summary>
    public IReadOnlyDictionary<string, Regex> MultiLineStarts() =>
        MultiLineStart.ToDictionary(p => p.Key, p => new Regex(p.Value, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (source, pattern) in MultiLineStart)
        {
            string? problem = null;
            try
            {
                _ = new Regex(pattern);
            }
            catch (ArgumentException ex)
            {
                problem = ex.Message;
            }

            if (problem is not null)
            {
                yield return new ValidationResult($"{Section}:MultiLineStart:{source} is not a regular expression: {problem}", [nameof(MultiLineStart)]);
            }
        }
    }
}
