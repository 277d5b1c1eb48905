namespace UsageBatch.Emulator.Chargebee;

/// <summary>
/// Renews lazily: whenever the emulator is asked something or its clock moves, every subscription whose term has
/// ended gets that term's invoice and starts the next one, as many times as it is behind. Callers hold the state lock.
/// </summary>
internal static class ChargebeeRenewals
{
    public static void CatchUp(EmulatorState state)
    {
        var now = state.Time.GetUtcNow().ToUnixTimeSeconds();
        foreach (var subscription in state.Fixtures.Chargebee.Subscriptions.Where(SubscriptionFacts.Renews))
        {
            var term = TermOf(state, subscription);
            var cancelledAt = SubscriptionFacts.CancelledAt(subscription) ?? long.MaxValue;
            while (!term.Ended)
            {
                var start = SubscriptionFacts.Boundary(subscription, term.Index);
                if (cancelledAt <= start)
                {
                    // Cancelled before this term began: nothing left to bill.
                    term.Ended = true;
                    break;
                }

                // A cancellation inside the term ends it early: the final invoice covers up to cancelled_at.
                var end = Math.Min(SubscriptionFacts.Boundary(subscription, term.Index + 1), cancelledAt);
                if (end > now)
                {
                    break;
                }

                // inferred (the provider's API docs are silent on a term without usages): the invoice exists even without lines,
                // so every ended term has one to find.
                ChargebeeInvoicing.Generate(state, subscription, start, end);
                if (end == cancelledAt)
                {
                    term.Ended = true;
                }
                else
                {
                    term.Index++;
                }
            }
        }
    }

    public static ChargebeeTerm TermOf(EmulatorState state, ChargebeeSubscription subscription)
    {
        if (!state.ChargebeeTerms.TryGetValue(subscription.Id, out var term))
        {
            term = new ChargebeeTerm();
            state.ChargebeeTerms[subscription.Id] = term;
        }

        return term;
    }
}
