using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace UsageBatch.Emulator.Chargebee;

/// <summary>
/// <c>limit</c> (1 to 100, default 10) and the opaque <c>offset</c> of every list (the provider's API docs). Each
/// list tags its offsets, so one list's offset is refused by another.
/// </summary>
internal static class ChargebeePaging
{
    /// <summary>Reads both parameters; returns the 400 to answer, or null.</summary>
    public static ProviderResponse? TryRead(IQueryCollection query, string tag, out int limit, out int offset)
    {
        limit = 10;
        offset = 0;
        string? limitText = query["limit"];
        if (!string.IsNullOrEmpty(limitText))
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100)
            {
                return ChargebeeError.WrongValue("limit", "must be between 1 and 100");
            }
        }

        string? offsetText = query["offset"];
        if (!string.IsNullOrEmpty(offsetText))
        {
            if (Decode(offsetText, tag) is not { } position)
            {
                return ChargebeeError.WrongValue("offset", "is not a valid offset");
            }

            offset = position;
        }

        return null;
    }

    public static ChargebeeList<TEntry> Page<TEntry>(IReadOnlyList<TEntry> all, int limit, int offset, string tag)
    {
        var next = offset + limit;
        return new ChargebeeList<TEntry>(all.Skip(offset).Take(limit).ToList(), next < all.Count ? Encode(next, tag) : null);
    }

    /// <summary>Offsets are opaque to clients (the provider's API docs); this one hides a position.</summary>
    private static string Encode(int position, string tag) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(tag + ":" + position.ToString(CultureInfo.InvariantCulture)));

    private static int? Decode(string offset, string tag)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(offset));
            return text.StartsWith(tag + ":", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(tag.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var position)
                ? position
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
