namespace UsageBatch.Emulator.Whop;

/// <summary>
/// What can happen to a payment after its charge, on Whop's side (a refund from the dashboard, a failed
/// renewal attempt). Call under the state lock; each returns the problem (status and message) or null.
/// </summary>
internal static class WhopPaymentActions
{
    /// <summary>
    /// Refunds <paramref name="amount"/>, or all that is left. What is refunded adds up; the payment reads
    /// <c>refunded</c> once all of it is, and stays <c>paid</c> with <c>refunded_amount</c> set until then.
    /// </summary>
    public static (int Status, string Message)? Refund(EmulatorState state, WhopPayment payment, decimal? amount)
    {
        // inferred (the provider's API docs [?]): only money collected can be returned.
        if (payment.Status != WhopPayment.Paid)
        {
            return (409, $"Only a paid payment can be refunded; this one is {payment.Status}");
        }

        var left = payment.FinalAmount - payment.RefundedAmount;
        if (amount is { } asked && (asked <= 0 || asked > left))
        {
            return (400, $"amount must be greater than 0 and at most {left}");
        }

        payment.RefundedAmount += amount ?? left;
        payment.RefundedAt = state.Time.GetUtcNow().ToUnixTimeSeconds();
        if (payment.RefundedAmount == payment.FinalAmount)
        {
            payment.Status = WhopPayment.Refunded;
        }

        return null;
    }

    /// <summary>A failed attempt to collect: the payment is no longer paid and counts one more failure.</summary>
    public static (int Status, string Message)? Fail(EmulatorState state, WhopPayment payment)
    {
        // inferred (the provider's API docs [?]): money already handed back cannot fail to be collected.
        if (payment.RefundedAmount > 0 || payment.Status == WhopPayment.Refunded)
        {
            return (409, "A refunded payment cannot fail");
        }

        payment.Status = WhopPayment.Failed;
        payment.PaymentsFailed++;
        payment.PaidAt = null;
        payment.LastPaymentAttempt = state.Time.GetUtcNow().ToUnixTimeSeconds();
        return null;
    }
}
