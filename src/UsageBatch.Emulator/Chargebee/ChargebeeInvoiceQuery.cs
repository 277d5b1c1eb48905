using Microsoft.AspNetCore.Http;

namespace UsageBatch.Emulator.Chargebee;

/// <summary>Retrieve and list invoices.</summary>
internal sealed class ChargebeeInvoiceQuery(EmulatorState state)
{
    private const string OffsetTag = "invoices";

    public ProviderResponse Retrieve(string invoiceId)
    {
        lock (state.Gate)
        {
            ChargebeeRenewals.CatchUp(state);
            var invoice = state.ChargebeeInvoices.Find(i => i.Id == invoiceId);
            return invoice is null ? ChargebeeError.ResourceNotFound() : ProviderResponse.Json(200, new ChargebeeInvoiceEnvelope(invoice));
        }
    }

    public ProviderResponse List(IQueryCollection query)
    {
        if (ChargebeePaging.TryRead(query, OffsetTag, out var limit, out var offset) is { } refusal)
        {
            return refusal;
        }

        var filter = new ChargebeeInvoiceFilter();
        foreach (var (key, values) in query)
        {
            if (filter.Apply(key, values.ToString()) is { } problem)
            {
                return ChargebeeError.WrongValue(key, problem);
            }
        }

        lock (state.Gate)
        {
            ChargebeeRenewals.CatchUp(state);
            var matches = state.ChargebeeInvoices.Where(filter.Matches);
            Func<ChargebeeInvoice, long> sortKey = filter.SortBy == "updated_at" ? i => i.UpdatedAt : i => i.Date;
            matches = filter.Descending
                ? matches.OrderByDescending(sortKey).ThenByDescending(i => i.Sequence)
                : matches.OrderBy(sortKey).ThenBy(i => i.Sequence);
            var all = matches.Select(i => new ChargebeeInvoiceEnvelope(i)).ToList();
            return ProviderResponse.Json(200, ChargebeePaging.Page(all, limit, offset, OffsetTag));
        }
    }
}
