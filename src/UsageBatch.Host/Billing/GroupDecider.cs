using UsageBatch.Configuration;
using UsageBatch.Providers;
using UsageBatch.Usage;

namespace UsageBatch.Billing;

/// <summary>
/// Decides what a freshly claimed group becomes: net sums and the job's per-submission limits here, the usage date
/// and the provider's own rules (caps, formats) from its module. Pure: everything it needs comes in.
/// </summary>
internal sealed class GroupDecider(JobOptions job, ProviderAccountOptions account)
{
    private readonly ProviderModule _provider = account.Module;

    public GroupDecision Decide(ClaimedGroup group, GroupFacts facts)
    {
        var total = group.Total;
        var value = group.Target.ValueField;
        if (total < 0)
        {
            return new(SubmissionStatus.Rejected, $"the group's rows net to {DecimalText.Format(total)}; a provider cannot take a negative usage", null);
        }

        if (total == 0)
        {
            return new(SubmissionStatus.Zero, "the group's rows net to 0: billed with no provider call", null);
        }

        // The usage date is chosen first, so a group held by a limit or a cap keeps its date reserved and can be sent as
        // it is once `requeue` approves it.
        var date = _provider.ChooseUsageDate(group, facts);
        if (date.HeldReason is { } noDate)
        {
            return new(SubmissionStatus.Held, noDate, null);
        }

        var limit = value == "amount" ? job.MaxAmountPerSubmission : job.MaxQuantityPerSubmission;
        if (limit is { } max && total > max)
        {
            var key = value == "amount" ? "maxAmountPerSubmission" : "maxQuantityPerSubmission";
            return new(SubmissionStatus.Held,
                $"{value} {DecimalText.Format(total)} is above the job's {key} ({DecimalText.Format(max)}); check the rows, then `usagebatch requeue --submission {group.SubmissionId}` to send it",
                date.Date);
        }

        return _provider.Decide(group, facts, account, total, date.Date);
    }
}
