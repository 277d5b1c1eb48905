using System.Text;
using CsvHelper;
using UsageBatch.Usage;

namespace UsageBatch.Reports;

/// <summary>
/// Writes one CSV file for Excel with CsvHelper: RFC 4180 quoting and CRLF record ends, UTF-8 with a byte order mark
/// (so Excel reads non-ASCII text right), invariant culture, ISO-8601 UTC times.
/// Against formula injection, CsvHelper escapes every TEXT cell that starts with <c>= + - @</c>, tab or carriage
/// return: it gets a single quote in front and is quoted, so Excel shows it as text. Numbers (ids, counts, totals) are
/// written as numbers, never as text, so they are not prefixed: a negative total such as <c>-3</c> stays a number
/// finance can sum, and a number can only ever be <c>-?digits(.digits)?</c>, which no spreadsheet runs as a formula.
/// </summary>
internal sealed class CsvTable : IDisposable
{
    private static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        NewLine = "\r\n",
        Injection = CsvInjection.Escape,
        InjectionEscape = '\'',
        WriteByteOrderMark = true,
        FormatProvider = System.Globalization.CultureInfo.InvariantCulture,
    };

    private readonly MemoryStream _bytes = new();
    private readonly CsvWriter _csv;

    public CsvTable(IReadOnlyList<string> headers)
    {
        _csv = CsvWriter.Create(_bytes, Options, leaveOpen: true);
        foreach (var header in headers)
        {
            _csv.WriteField(header);
        }

        _csv.EndRecord();
    }

    public CsvTable Text(string? value)
    {
        _csv.WriteField(value ?? "");
        return this;
    }

    public CsvTable Number(long? value)
    {
        if (value is { } v)
        {
            _csv.WriteField(v, "");
        }
        else
        {
            _csv.WriteField("");
        }

        return this;
    }

    public CsvTable Number(decimal? value, string valueKind)
    {
        if (value is { } v)
        {
            _csv.WriteField(ReportNumber.Shape(v, valueKind), "");
        }
        else
        {
            _csv.WriteField("");
        }

        return this;
    }

    public CsvTable Time(DateTimeOffset? value)
    {
        _csv.WriteField(value is { } v ? UtcText.Format(v) : "");
        return this;
    }

    public void EndRow() => _csv.EndRecord();

    public byte[] ToBytes()
    {
        _csv.Flush();
        return _bytes.ToArray();
    }

    /// <summary>The file as text (without the byte order mark), for tests and logs.</summary>
    public override string ToString() => new UTF8Encoding(false).GetString(ToBytes()).TrimStart('\uFEFF');

    public void Dispose()
    {
        _csv.Dispose();
        _bytes.Dispose();
    }
}
