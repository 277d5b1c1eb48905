using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace UsageBatch.Emulator.Whop;

/// <summary>v5's page/per paging, shared by every list (billing usages, payments) so they page alike.</summary>
internal static class WhopPaging
{
    private const int DefaultPer = 10;

    // inferred (the provider's API docs): the docs say "max 50"; a larger per is clamped rather than refused.
    private const int MaxPer = 50;

    /// <summary>Reads page (default 1) and per (default 10, clamped to 50); false when either is not a positive integer.</summary>
    public static bool TryRead(IQueryCollection query, out int page, out int per)
    {
        per = 0;
        if (!TryPositiveInt(query, "page", 1, out page) || !TryPositiveInt(query, "per", DefaultPer, out per))
        {
            return false;
        }

        per = Math.Min(per, MaxPer);
        return true;
    }

    public static ProviderResponse BadPaging() => WhopMessage.Respond(400, "page and per must be positive integers");

    /// <summary>One page of <paramref name="matches"/> (already filtered and ordered) in the v5 envelope.</summary>
    public static ProviderResponse Respond<T>(IReadOnlyList<T> matches, int page, int per)
    {
        var totalPages = (matches.Count + per - 1) / per;
        var data = matches.Skip((int)Math.Min(int.MaxValue, (long)(page - 1) * per)).Take(per).ToList();
        var pagination = new WhopPagination(
            CurrentPage: page,
            TotalPages: totalPages,
            NextPage: page < totalPages ? page + 1 : null,
            PrevPage: page > 1 ? page - 1 : null,
            TotalCount: matches.Count);
        return ProviderResponse.Json(200, new WhopPage<T>(pagination, data));
    }

    private static bool TryPositiveInt(IQueryCollection query, string name, int fallback, out int value)
    {
        string? text = query[name];
        if (string.IsNullOrEmpty(text))
        {
            value = fallback;
            return true;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;
    }
}
