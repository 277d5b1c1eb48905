using System.Globalization;
using System.Net;
using System.Text;

namespace UsageBatch.OperatorConsole.Html;

/// <summary>
/// One console page: the shared header and navigation, then sections. Every piece of text, whatever its source,
/// goes through <see cref="WebUtility.HtmlEncode(string)"/>, attributes included; only the markup written in this
/// file is raw. No inline script or style: the Content-Security-Policy allows only console.css from this origin.
/// </summary>
internal sealed class ConsolePage
{
    private static readonly (string Key, string Label, string Href)[] Navigation =
    [
        ("overview", "Overview", "/"), ("runs", "Runs", "/runs"), ("exceptions", "Exceptions", "/exceptions"),
        ("scheduler", "Scheduler", "/scheduler"), ("health", "Health", "/health/ready"), ("metrics", "Metrics", "/metrics"),
    ];

    private readonly StringBuilder _html = new();

    public ConsolePage(string title, string active, string subtitle)
    {
        Raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        Raw("<title>").Text(title).Raw(" · UsageBatch</title>\n<link rel=\"stylesheet\" href=\"/console.css\">\n</head>\n<body>\n");
        Raw("<header><div class=\"brand\">UsageBatch <span>operator console</span></div><nav>");
        foreach (var (key, label, href) in Navigation)
        {
            Raw("<a href=\"").Attr(href).Raw(key == active ? "\" class=\"active\">" : "\">").Text(label).Raw("</a>");
        }

        Raw("</nav><div class=\"context\">").Text(subtitle).Raw("</div></header>\n<main>\n");
    }

    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    public ConsolePage Raw(string markup)
    {
        _html.Append(markup);
        return this;
    }

    public ConsolePage Text(string? text)
    {
        _html.Append(Encode(text));
        return this;
    }

    /// <summary>An attribute value: encoded like text (quotes included), so a value can never leave its attribute.</summary>
    public ConsolePage Attr(string? value) => Text(value);

    public ConsolePage Heading(int level, string text) =>
        Raw(string.Create(CultureInfo.InvariantCulture, $"<h{level}>")).Text(text).Raw(string.Create(CultureInfo.InvariantCulture, $"</h{level}>\n"));

    public ConsolePage Note(string text, string cssClass = "note") => Raw("<p class=\"").Attr(cssClass).Raw("\">").Text(text).Raw("</p>\n");

    public ConsolePage Link(string text, string href) => Raw("<a href=\"").Attr(href).Raw("\">").Text(text).Raw("</a>");

    /// <summary>A notice box (a run queued, a refusal).</summary>
    public ConsolePage Notice(string text, string tone) => Raw("<div class=\"notice ").Attr(tone).Raw("\">").Text(text).Raw("</div>\n");

    /// <summary>A definition list of label/value pairs.</summary>
    public ConsolePage Facts(IEnumerable<(string Label, Cell Value)> facts)
    {
        Raw("<dl class=\"facts\">\n");
        foreach (var (label, value) in facts)
        {
            Raw("<dt>").Text(label).Raw("</dt><dd>");
            Write(value);
            Raw("</dd>\n");
        }

        return Raw("</dl>\n");
    }

    public ConsolePage Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<Cell>> rows, string? cssClass = null)
    {
        Raw(cssClass is null ? "<div class=\"scroll\"><table>\n<thead><tr>" : $"<div class=\"scroll\"><table class=\"{Encode(cssClass)}\">\n<thead><tr>");
        foreach (var header in headers)
        {
            Raw("<th>").Text(header).Raw("</th>");
        }

        Raw("</tr></thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            Raw("<tr>");
            foreach (var cell in row)
            {
                Raw(cell.Class is { } css && !css.StartsWith("badge", StringComparison.Ordinal) ? $"<td class=\"{Encode(css)}\">" : "<td>");
                Write(cell);
                Raw("</td>");
            }

            Raw("</tr>\n");
        }

        return Raw("</tbody>\n</table></div>\n");
    }

    /// <summary>A POST form with the anti-forgery token and one button; <paramref name="fields"/> are hidden inputs.</summary>
    public ConsolePage PostButton(string action, string label, Antiforgery token, IEnumerable<(string Name, string Value)>? fields = null, bool disabled = false, string? title = null)
    {
        Raw("<form method=\"post\" action=\"").Attr(action).Raw("\" class=\"inline\">");
        Raw("<input type=\"hidden\" name=\"").Attr(token.FieldName).Raw("\" value=\"").Attr(token.Value).Raw("\">");
        foreach (var (name, value) in fields ?? [])
        {
            Raw("<input type=\"hidden\" name=\"").Attr(name).Raw("\" value=\"").Attr(value).Raw("\">");
        }

        Raw("<button type=\"submit\"");
        if (title is not null)
        {
            Raw(" title=\"").Attr(title).Raw("\"");
        }

        return Raw(disabled ? " disabled>" : ">").Text(label).Raw("</button></form>");
    }

    public void Write(Cell cell)
    {
        var badge = cell.Class is { } css && css.StartsWith("badge", StringComparison.Ordinal);
        if (badge)
        {
            Raw("<span class=\"").Attr(cell.Class).Raw("\">");
        }

        if (cell.Custom is { } custom)
        {
            custom(this);
        }
        else if (cell.Href is { } href)
        {
            Raw("<a href=\"").Attr(href).Raw("\">").Text(cell.Text).Raw("</a>");
        }
        else
        {
            Text(cell.Text);
        }

        if (badge)
        {
            Raw("</span>");
        }

        if (cell.Sub is { } sub)
        {
            Raw("<div class=\"sub\">").Text(sub).Raw("</div>");
        }
    }

    public override string ToString() => _html + "</main>\n</body>\n</html>\n";

    /// <summary>The anti-forgery form field for this response.</summary>
    internal sealed record Antiforgery(string FieldName, string Value);
}
