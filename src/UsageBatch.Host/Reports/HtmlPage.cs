using System.Globalization;
using System.Net;
using System.Text;
using UsageBatch.Usage;

namespace UsageBatch.Reports;

/// <summary>
/// A small builder for one self-contained HTML page: inline CSS, no scripts, no external assets. Every piece of text
/// goes through <see cref="WebUtility.HtmlEncode(string)"/>; only the markup written here is raw. Lines end in
/// <c>\n</c> on every OS, so the same report renders to the same bytes everywhere.
/// </summary>
internal sealed class HtmlPage
{
    private const string Css = """
        body { font-family: "Segoe UI", Helvetica, Arial, sans-serif; font-size: 13px; color: #111; margin: 24px; }
        h1 { font-size: 20px; margin: 0 0 4px 0; }
        h2 { font-size: 15px; margin: 22px 0 6px 0; border-bottom: 1px solid #999; padding-bottom: 2px; }
        p.note { color: #444; margin: 4px 0; }
        table { border-collapse: collapse; margin: 4px 0 8px 0; }
        th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; vertical-align: top; }
        th { background: #eee; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.id { font-family: Consolas, "Courier New", monospace; font-size: 12px; }
        table.fixed { table-layout: fixed; width: 100%; }
        table.fixed td { overflow-wrap: anywhere; }
        table.fixed td.num { white-space: normal; }
        table.fixed td.time { overflow-wrap: normal; white-space: nowrap; }
        p.summary { font-size: 14px; line-height: 1.45; max-width: 1100px; background: #f3f5f8; border-left: 4px solid #4a6a94; padding: 8px 12px; margin: 10px 0 14px 0; }
        .pass { color: #0a6b0a; font-weight: bold; }
        .fail { color: #b00000; font-weight: bold; }
        .warn { color: #8a5a00; font-weight: bold; }
        dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; margin: 8px 0; }
        dt { font-weight: bold; }
        dd { margin: 0; }
        @media print {
          body { margin: 0; font-size: 10pt; }
          h2 { break-after: avoid; }
          tr { break-inside: avoid; }
          thead { display: table-header-group; }
        }
        """;

    private readonly StringBuilder _html = new();

    public HtmlPage(string title)
    {
        Raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        Raw("<title>").Text(title).Raw("</title>\n<style>\n").Raw(Css).Raw("\n</style>\n</head>\n<body>\n");
    }

    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    public static string Time(DateTimeOffset? value) => value is { } v ? UtcText.Format(v) : "";

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public HtmlPage Raw(string markup)
    {
        _html.Append(markup);
        return this;
    }

    public HtmlPage Text(string? text)
    {
        _html.Append(Encode(text));
        return this;
    }

    public HtmlPage Heading(int level, string text) =>
        Raw(string.Create(CultureInfo.InvariantCulture, $"<h{level}>")).Text(text).Raw(string.Create(CultureInfo.InvariantCulture, $"</h{level}>\n"));

    public HtmlPage Note(string text) => Raw("<p class=\"note\">").Text(text).Raw("</p>\n");

    /// <summary>A definition list of label/value pairs (the run's facts).</summary>
    public HtmlPage Facts(IEnumerable<(string Label, string? Value)> facts)
    {
        Raw("<dl>\n");
        foreach (var (label, value) in facts)
        {
            Raw("<dt>").Text(label).Raw("</dt><dd>").Text(value).Raw("</dd>\n");
        }

        return Raw("</dl>\n");
    }

    /// <summary>A table; each cell is (text, css class or null). Text is encoded.</summary>
    public HtmlPage Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<Cell>> rows)
    {
        Raw("<table>\n<thead><tr>");
        foreach (var header in headers)
        {
            Raw("<th>").Text(header).Raw("</th>");
        }

        return Body(rows);
    }

    /// <summary>
    /// A table as wide as the window with fixed column widths (CSS lengths such as <c>120px</c>; null takes the
    /// rest), long ids wrapped inside their cells, so it never scrolls sideways however long the data's ids are.
    /// </summary>
    public HtmlPage FixedTable(IReadOnlyList<(string Header, string? Width)> columns, IEnumerable<IReadOnlyList<Cell>> rows)
    {
        Raw("<table class=\"fixed\">\n<colgroup>");
        foreach (var (_, width) in columns)
        {
            Raw(width is null ? "<col>" : "<col style=\"width: ").Text(width).Raw(width is null ? "" : "\">");
        }

        Raw("</colgroup>\n<thead><tr>");
        foreach (var (header, _) in columns)
        {
            Raw("<th>").Text(header).Raw("</th>");
        }

        return Body(rows);
    }

    private HtmlPage Body(IEnumerable<IReadOnlyList<Cell>> rows)
    {
        Raw("</tr></thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            Raw("<tr>");
            foreach (var cell in row)
            {
                Raw(cell.Class is null ? "<td>" : $"<td class=\"{cell.Class}\">").Text(cell.Text).Raw("</td>");
            }

            Raw("</tr>\n");
        }

        return Raw("</tbody>\n</table>\n");
    }

    public override string ToString() => _html + "</body>\n</html>\n";

    /// <summary>One table cell: its text (encoded when written) and an optional class from this file's stylesheet.</summary>
    internal readonly record struct Cell(string? Text, string? Class = null)
    {
        public static implicit operator Cell(string? text) => new(text);

        public static Cell Num(string text) => new(text, "num");

        public static Cell Id(string? text) => new(text, "id");
    }
}
