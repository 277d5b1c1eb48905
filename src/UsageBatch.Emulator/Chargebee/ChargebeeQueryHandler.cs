using Microsoft.AspNetCore.Http;

namespace UsageBatch.Emulator.Chargebee;

/// <summary>Retrieve, delete and list usages.</summary>
internal sealed class ChargebeeQueryHandler(EmulatorState state)
{
    private const string OffsetTag = "usages";

    public ProviderResponse Retrieve(string subscriptionId, string? usageId)
    {
        lock (state.Gate)
        {
            ChargebeeRenewals.CatchUp(state);
            return Find(subscriptionId, usageId, out var usage) ?? ProviderResponse.Json(200, new ChargebeeUsageEnvelope(usage!));
        }
    }

    public ProviderResponse Delete(string subscriptionId, string? usageId)
    {
        lock (state.Gate)
        {
            ChargebeeRenewals.CatchUp(state);
            if (Find(subscriptionId, usageId, out var usage) is { } refusal)
            {
                return refusal;
            }

            // inferred (the provider's API docs [I]): deleting an invoiced usage -> 400 invalid_request.
            if (usage!.InvoiceId is not null)
            {
                return ChargebeeError.InvalidRequest("id", $"The usage {usage.Id} is already invoiced and cannot be deleted");
            }

            state.ChargebeeUsages.Remove(usage);
            return ProviderResponse.Json(200, new ChargebeeUsageEnvelope(usage));
        }
    }

    public ProviderResponse List(IQueryCollection query)
    {
        if (!TryParseList(query, out var filter, out var error))
        {
            return error!;
        }

        lock (state.Gate)
        {
            ChargebeeRenewals.CatchUp(state);
            var matches = state.ChargebeeUsages.Where(filter!.Matches);
            matches = filter.SortBy switch
            {
                "usage_date" => filter.Descending
                    ? matches.OrderByDescending(u => u.UsageDate).ThenByDescending(u => u.Sequence)
                    : matches.OrderBy(u => u.UsageDate).ThenBy(u => u.Sequence),
                "updated_at" => filter.Descending
                    ? matches.OrderByDescending(u => u.UpdatedAt).ThenByDescending(u => u.Sequence)
                    : matches.OrderBy(u => u.UpdatedAt).ThenBy(u => u.Sequence),
                _ => matches.OrderBy(u => u.CreatedAt).ThenBy(u => u.Sequence),
            };

            var all = matches.Select(u => new ChargebeeUsageEnvelope(u)).ToList();
            return ProviderResponse.Json(200, ChargebeePaging.Page(all, filter.Limit, filter.Offset, OffsetTag));
        }
    }

    private ProviderResponse? Find(string subscriptionId, string? usageId, out ChargebeeUsage? usage)
    {
        usage = null;
        if (!state.Fixtures.Chargebee.Subscriptions.Any(s => s.Id == subscriptionId))
        {
            return ChargebeeError.NotFound($"Sorry, we couldn't find that resource: subscription {subscriptionId}");
        }

        if (string.IsNullOrEmpty(usageId))
        {
            return ChargebeeError.Missing("id");
        }

        usage = state.ChargebeeUsages.FirstOrDefault(u => u.Id == usageId && u.SubscriptionId == subscriptionId);
        return usage is null ? ChargebeeError.NotFound($"Sorry, we couldn't find that resource: usage {usageId}") : null;
    }

    private static bool TryParseList(IQueryCollection query, out ChargebeeListFilter? filter, out ProviderResponse? error)
    {
        filter = new ChargebeeListFilter();
        error = ChargebeePaging.TryRead(query, OffsetTag, out var limit, out var offset);
        if (error is not null)
        {
            return false;
        }

        filter.Limit = limit;
        filter.Offset = offset;
        foreach (var (key, values) in query)
        {
            var problem = filter.Apply(key, values.ToString());
            if (problem is not null)
            {
                error = ChargebeeError.WrongValue(key, problem);
                return false;
            }
        }

        return true;
    }
}
