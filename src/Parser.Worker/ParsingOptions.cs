using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Parser.Worker.Parsing;

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

    /// <summary>
    /// Named line patterns added to the built-in library (<see cref="PatternLibrary"/>), by name: a regular expression
    /// whose named captures, or <c>%{NAME:field}</c> references to other patterns, become event fields.
    /// </summary>
    public Dictionary<string, string> Patterns { get; set; } = [];

    /// <summary>How particular sources are read, by source (the <c>source</c> of their records).</summary>
    public Dictionary<string, SourceParsing> Sources { get; set; } = [];

    /// <summary>The start patterns compiled, by source.</summary>
    public IReadOnlyDictionary<string, Regex> MultiLineStarts() =>
        MultiLineStart.ToDictionary(p => p.Key, p => new Regex(p.Value, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)));

    /// <summary>The line pattern of each source that names one, compiled.</summary>
    /// <exception cref="InvalidOperationException">A pattern cannot be used (<see cref="Validate"/> says so at start).</exception>
    public IReadOnlyDictionary<string, LinePattern> SourcePatterns() => Sources
        .Where(s => s.Value.Pattern is not null)
        .ToDictionary(
            s => s.Key,
            s => LinePattern.Create(s.Value.Pattern!, Patterns, out var problem) ?? throw new InvalidOperationException(problem));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var name in Patterns.Keys)
        {
            if (LinePattern.Create(name, Patterns, out var problem) is null)
            {
                yield return new ValidationResult($"{Section}:Patterns:{name} cannot be used: {problem}.", [nameof(Patterns)]);
            }
        }

        foreach (var (source, parsing) in Sources)
        {
            if (parsing.Pattern is { } name && !Patterns.ContainsKey(name) && LinePattern.Create(name, Patterns, out var problem) is null)
            {
                yield return new ValidationResult(
                    $"{Section}:Sources:{source}:Pattern names '{name}', which cannot be used: {problem} (built-in patterns: {string.Join(", ", PatternLibrary.BuiltIn.Keys)}).",
                    [nameof(Sources)]);
            }
        }

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

    /// <summary>Refuses to start on a problem of <see cref="Validate"/>, each said in its own sentence.</summary>
    internal sealed class Validation : IValidateOptions<ParsingOptions>
    {
        public ValidateOptionsResult Validate(string? name, ParsingOptions options)
        {
            var problems = options.Validate(new ValidationContext(options)).Select(r => r.ErrorMessage ?? "").ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}

/// <summary>Configuration of one source under "SaasMonitor:Parsing:Sources:&lt;source&gt;".</summary>
public sealed class SourceParsing
{
    /// <summary>The named pattern (built in or under SaasMonitor:Parsing:Patterns) its text lines are read with.</summary>
    public string? Pattern { get; set; }
}
