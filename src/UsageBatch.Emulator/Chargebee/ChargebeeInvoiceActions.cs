using Microsoft.Extensions.Primitives;

namespace UsageBatch.Emulator.Chargebee;

/// <summary>close, sync_usages and void: the three invoice actions a metered-billing job needs.</summary>
internal sealed class ChargebeeInvoiceActions(EmulatorState state)
{
    // inferred (the provider's API docs leave the 409 body open): the messages.
    private const string NotPending = "Invoice is not in pending state";
    private const string AlreadyVoided = "Invoice is already voided";

    /// <summary>Only a pending invoice; its term's late usages are synced first. <c>comment</c> and <c>invoice_note</c> are accepted and ignored.</summary>
    public ProviderResponse Close(string invoiceId, IReadOnlyDictionary<string, StringValues> form) =>
        Act(invoiceId, form, [("comment", 300), ("invoice_note", 2000)], invoice =>
            invoice.Status == ChargebeeInvoicing.Pending ? null : NotPending, ChargebeeInvoicing.Close);

    public ProviderResponse SyncUsages(string invoiceId, IReadOnlyDictionary<string, StringValues> form) =>
        Act(invoiceId, form, [], invoice =>
            invoice.Status == ChargebeeInvoicing.Pending ? null : NotPending, ChargebeeInvoicing.Sync);

    /// <summary>Any invoice not voided yet. <c>void_reason_code</c> and <c>comment</c> are accepted and ignored.</summary>
    public ProviderResponse Void(string invoiceId, IReadOnlyDictionary<string, StringValues> form) =>
        Act(invoiceId, form, [("void_reason_code", 100), ("comment", 300)], invoice =>
            invoice.Status == ChargebeeInvoicing.Voided ? AlreadyVoided : null, ChargebeeInvoicing.Void);

    private ProviderResponse Act(
        string invoiceId,
        IReadOnlyDictionary<string, StringValues> form,
        (string Name, int MaxLength)[] fields,
        Func<ChargebeeInvoice, string?> refusal,
        Action<EmulatorState, ChargebeeInvoice, DateTimeOffset> act)
    {
        lock (state.Gate)
        {
            ChargebeeRenewals.CatchUp(state);
            var invoice = state.ChargebeeInvoices.Find(i => i.Id == invoiceId);
            if (invoice is null)
            {
                return ChargebeeError.ResourceNotFound();
            }

            // inferred (the provider's API docs): the fields' length limits.
            foreach (var (name, maxLength) in fields)
            {
                if (form.TryGetValue(name, out var value) && value.ToString().Length > maxLength)
                {
                    return ChargebeeError.WrongValue(name, $"cannot be longer than {maxLength} characters");
                }
            }

            if (refusal(invoice) is { } message)
            {
                return ChargebeeError.InvalidState(message);
            }

            act(state, invoice, state.Time.GetUtcNow());
            return ProviderResponse.Json(200, new ChargebeeInvoiceEnvelope(invoice));
        }
    }
}
