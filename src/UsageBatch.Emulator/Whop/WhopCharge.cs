namespace UsageBatch.Emulator.Whop;

/// <summary>Turns billing usages into the one payment that charges them. Call under the state lock.</summary>
internal static class WhopCharge
{
    /// <summary>
    /// Records a paid payment for <paramref name="usages"/> and points their <c>receipt_id</c> at it.
    /// The id is the payment's (<c>pay_…</c>): the provider's API docs call a payment "a receipt", and a billing
    /// usage's <c>receipt_id</c> resolves to a payment whose <c>billing_usage_ids</c> name the usage.
    /// </summary>
    public static WhopPayment Pay(EmulatorState state, IReadOnlyList<WhopUsage> usages)
    {
        var now = state.Time.GetUtcNow().ToUnixTimeSeconds();
        var items = usages.Select(u => state.Fixtures.Whop.BillingItems.FirstOrDefault(i => i.Id == u.BillingItemId)).ToList();
        var total = usages.Select((u, index) => Price(u, items[index])).Sum();
        var products = items.Select(i => i?.ProductId).Distinct().ToList();
        var payment = new WhopPayment
        {
            Id = Ids.New("pay_"),
            // Every caller charges one membership's usages, or one company's usages without a membership.
            MembershipId = usages.Select(u => u.MembershipId).FirstOrDefault(),
            CompanyId = usages.Select(u => u.CompanyId).FirstOrDefault() ?? "",
            // inferred (the provider's API docs [?]): a charge across items of different products names none.
            ProductId = products.Count == 1 ? products[0] : null,
            CreatedAt = now,
            PaidAt = now,
            // inferred (the provider's API docs [?]): the charge that paid was itself the last attempt.
            LastPaymentAttempt = now,
            Status = WhopPayment.Paid,
            Subtotal = total,
            FinalAmount = total,
            // inferred (the provider's API docs [?]): one payment has one currency; the emulator takes the first
            // item's and does not split a charge across items priced in different currencies.
            Currency = items.Select(i => i?.Currency).FirstOrDefault() ?? "usd",
            BillingUsageIds = usages.Select(u => u.Id).ToList(),
            Sequence = state.NextSequence(),
        };
        foreach (var usage in usages)
        {
            usage.ReceiptId = payment.Id;
        }

        state.WhopPayments.Add(payment);
        return payment;
    }

    /// <summary>
    /// A variable item's usage costs its amount; a structured one its quantity at the item's unit price.
    /// inferred (the provider's API docs [?]): not rounded to cents, so a tie-out can match the usages exactly.
    /// </summary>
    private static decimal Price(WhopUsage usage, WhopBillingItem? item) =>
        usage.Amount ?? (usage.Quantity ?? 0m) * (item?.UnitPrice ?? 1.00m);
}
