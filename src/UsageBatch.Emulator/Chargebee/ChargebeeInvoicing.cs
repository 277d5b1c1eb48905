namespace UsageBatch.Emulator.Chargebee;

/// <summary>
/// An invoice's life: generated at a term's end, usages synced into its lines, closed, voided. Callers hold the
/// state lock. A usage is only ever attached to the invoice of the term it is dated in, while that invoice is being
/// generated or is still pending, and only when dated while the subscription was active; anything else is stored
/// and never billed (the provider's API docs).
/// </summary>
internal static class ChargebeeInvoicing
{
    public const string Pending = "pending";
    public const string Voided = "voided";

    public static ChargebeeInvoice Generate(EmulatorState state, ChargebeeSubscription subscription, long termStart, long termEnd)
    {
        var invoice = new ChargebeeInvoice
        {
            Id = Ids.New("inv_"),
            CustomerId = SubscriptionFacts.CustomerId(subscription),
            SubscriptionId = subscription.Id,
            Status = Pending,
            Date = termEnd,
            GeneratedAt = termEnd,
            CurrencyCode = subscription.CurrencyCode,
            TermStart = termStart,
            TermEnd = termEnd,
            Sequence = state.NextSequence(),
        };
        state.ChargebeeInvoices.Add(invoice);

        // Generated when the term ended, however late a request made the emulator notice.
        var at = DateTimeOffset.FromUnixTimeSeconds(termEnd);
        Touch(invoice, at);
        if (subscription.CreatePendingInvoices)
        {
            Sync(state, invoice, at);
        }
        else
        {
            Close(state, invoice, at);
        }

        return invoice;
    }

    /// <summary>Attaches the term's unattached active-period usages, one line per item price.</summary>
    public static void Sync(EmulatorState state, ChargebeeInvoice invoice, DateTimeOffset at)
    {
        var subscription = state.Fixtures.Chargebee.Subscriptions.First(s => s.Id == invoice.SubscriptionId);
        var usages = state.ChargebeeUsages
            .Where(u => u.SubscriptionId == invoice.SubscriptionId && u.InvoiceId is null)
            .Where(u => u.UsageDate >= invoice.TermStart && u.UsageDate < invoice.TermEnd)
            .Where(u => SubscriptionFacts.IsActiveAt(subscription, u.UsageDate))
            .OrderBy(u => u.Sequence)
            .ToList();
        if (usages.Count == 0)
        {
            return;
        }

        foreach (var usage in usages)
        {
            var line = invoice.LineItems.Find(l => l.EntityId == usage.ItemPriceId);
            if (line is null)
            {
                line = new ChargebeeLineItem
                {
                    Id = Ids.New("li_"),
                    DateFrom = invoice.TermStart,
                    DateTo = invoice.TermEnd,
                    UnitAmount = SubscriptionFacts.UnitAmount(subscription, usage.ItemPriceId),
                    EntityId = usage.ItemPriceId,
                    SubscriptionId = invoice.SubscriptionId,
                    CustomerId = invoice.CustomerId,
                };
                invoice.LineItems.Add(line);
            }

            // The site's aggregation (the provider's API docs: "Sum of all usage", "Most recent usage", "Max usage").
            line.Sum = state.Fixtures.Settings.Chargebee.UsageAggregation == "max" ? line.Sum.Max(usage.Quantity) : line.Sum.Add(usage.Quantity);
            usage.InvoiceId = invoice.Id;
            usage.LineItemId = line.Id;
            Touch(usage, at);
        }

        // Lines in the subscription's item price order, however late each one's first usage came.
        invoice.LineItems.Sort((a, b) => subscription.ItemPrices.IndexOf(a.EntityId).CompareTo(subscription.ItemPrices.IndexOf(b.EntityId)));
        Touch(invoice, at);
    }

    /// <summary>Syncs, then posts; a zero total is paid at once (inferred: the provider's API docs).</summary>
    public static void Close(EmulatorState state, ChargebeeInvoice invoice, DateTimeOffset at)
    {
        Sync(state, invoice, at);
        if (invoice.Total == 0)
        {
            invoice.Status = "paid";
            invoice.PaidAt = at.ToUnixTimeSeconds();
        }
        else
        {
            invoice.Status = "posted";
        }

        Touch(invoice, at);
    }

    /// <summary>Its usages lose their links and, their term's invoice gone, are never billed again.</summary>
    public static void Void(EmulatorState state, ChargebeeInvoice invoice, DateTimeOffset at)
    {
        foreach (var usage in state.ChargebeeUsages.Where(u => u.InvoiceId == invoice.Id))
        {
            usage.InvoiceId = null;
            usage.LineItemId = null;
            Touch(usage, at);
        }

        invoice.Status = Voided;
        invoice.VoidedAt = at.ToUnixTimeSeconds();
        Touch(invoice, at);
    }

    private static void Touch(ChargebeeInvoice invoice, DateTimeOffset at)
    {
        invoice.UpdatedAt = Math.Max(invoice.UpdatedAt, at.ToUnixTimeSeconds());
        invoice.ResourceVersion = Math.Max(invoice.ResourceVersion, at.ToUnixTimeMilliseconds());
    }

    private static void Touch(ChargebeeUsage usage, DateTimeOffset at)
    {
        usage.UpdatedAt = Math.Max(usage.UpdatedAt, at.ToUnixTimeSeconds());
        usage.ResourceVersion = Math.Max(usage.ResourceVersion, at.ToUnixTimeMilliseconds());
    }
}
