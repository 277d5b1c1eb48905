namespace UsageBatch.OperatorConsole.Html;

/// <summary>One table cell: text (always encoded), an optional class from console.css, and an optional link we built.</summary>
/// <param name="Sub">A second, quieter line under the text (e.g. "in 17 h" under a time).</param>
internal readonly record struct Cell(string? Text, string? Class = null, string? Href = null, Action<ConsolePage>? Custom = null, string? Sub = null)
{
    public static implicit operator Cell(string? text) => new(text);

    public static Cell Num(long value) => new(value.ToString(System.Globalization.CultureInfo.InvariantCulture), "num");

    public static Cell Num(string? text) => new(text, "num");

    public static Cell Code(string? text) => new(text, "code");

    public static Cell Link(string? text, string href, string? cssClass = null) => new(text, cssClass, href);

    /// <summary>Markup written by the page builder itself (a form), never text from elsewhere.</summary>
    public static Cell Of(Action<ConsolePage> write) => new(null, null, null, write);

    public Cell With(string? sub) => this with { Sub = sub };

    public static Cell Badge(string text, string tone) => new(text, "badge " + tone);
}
