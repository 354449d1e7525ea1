using System.Text;

namespace SaasMonitor.Core.Search;

/// <summary>What every search store does to query text before its Lucene-syntax parser reads it.</summary>
public static class SearchSyntax
{
    /// <summary>
    /// Escapes every forward slash that is not escaped already, so that none starts a regular expression and
    /// <c>endpoint:/api/users</c> means the path.
    /// </summary>
    public static string EscapeSlashes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains('/', StringComparison.Ordinal))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                escaped.Append(c).Append(text[++i]);
            }
            else
            {
                if (c == '/')
                {
                    escaped.Append('\\');
                }

                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }
}
