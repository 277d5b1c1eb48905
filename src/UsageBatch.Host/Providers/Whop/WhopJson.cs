using UsageBatch.Usage;
using System.Text;
using System.Text.Json;
using UsageBatch.Providers.Http;

namespace UsageBatch.Providers.Whop;

/// <summary>Whop request bodies and list pages.</summary>
internal static class WhopJson
{
    /// <summary>
    /// The create body. The value is written with Utf8JsonWriter's decimal overload, which prints the decimal's own
    /// digits; a double would turn 12.3456789 into 12.345678899999999.
    /// </summary>
    public static string CreateBody(SubmissionTarget target, decimal total)
    {
        ArgumentNullException.ThrowIfNull(target);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString(target.CustomerField, target.CustomerId);
            writer.WriteString(target.ItemField, target.ItemId);
            writer.WriteNumber(target.ValueField, DecimalText.Normalize(total));
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>One page of a list: its usages and whether another page follows.</summary>
    public static (IReadOnlyList<WhopUsage> Usages, bool HasNext)? ParsePage(string? body, int page)
    {
        using var doc = JsonRead.TryParseObject(body);
        if (doc is null || !doc.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var usages = new List<WhopUsage>();
        foreach (var item in data.EnumerateArray())
        {
            if (WhopUsage.From(item) is { } usage)
            {
                usages.Add(usage);
            }
        }

        return (usages, HasNext(doc.RootElement, page, usages.Count));
    }

    /// <summary>Whether another page follows this one of a v5 list (its <c>pagination</c> block; an empty page ends it).</summary>
    public static bool HasNext(JsonElement root, int page, int itemsOnPage)
    {
        if (itemsOnPage == 0 || !root.TryGetProperty("pagination", out var pagination) || pagination.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var next = JsonRead.Long(pagination, "next_page");
        var total = JsonRead.Long(pagination, "total_pages");
        return next is not null ? next > page : total is not null && total > page;
    }
}
