using System.Globalization;
using System.Text;

namespace UsageBatch.Billing;

/// <summary>
/// The ledger's snapshot of which rows a submission covered, as compact ascending ranges ("1-100,205,300-350"):
/// a row's billing_submission_id can change after a re-queue, this cannot.
/// </summary>
internal static class RowIdRanges
{
    public static string Format(IEnumerable<long> ids)
    {
        var sorted = ids.Order().ToList();
        var text = new StringBuilder();
        for (var i = 0; i < sorted.Count; i++)
        {
            var start = sorted[i];
            while (i + 1 < sorted.Count && sorted[i + 1] == sorted[i] + 1)
            {
                i++;
            }

            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(start.ToString(CultureInfo.InvariantCulture));
            if (sorted[i] != start)
            {
                text.Append('-').Append(sorted[i].ToString(CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    public static IEnumerable<long> Parse(string text)
    {
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var start = long.Parse(dash < 0 ? part : part[..dash], CultureInfo.InvariantCulture);
            var end = dash < 0 ? start : long.Parse(part[(dash + 1)..], CultureInfo.InvariantCulture);
            for (var id = start; id <= end; id++)
            {
                yield return id;
            }
        }
    }
}
