using UsageBatch.Configuration;
using UsageBatch.Providers;
using UsageBatch.Usage;

namespace UsageBatch.Billing;

/// <summary>
/// Decides what a freshly claimed group becomes: net sums, per-submission guards,
/// Chargebee's usage_date rule and its lifetime cap. Pure: everything it needs comes in.
/// </summary>
internal sealed class GroupDecider(JobOptions job, ProviderAccountOptions account)
{
    private const int ChargebeeQuantityMaxLength = 40;

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

        // Chargebee's usage_date is chosen first, so a group held by a guard or the cap keeps its date reserved and can
        // be sent as it is once `requeue` approves it.
        DateTimeOffset? usageDate = null;
        if (account.Kind == ProviderKind.Chargebee)
        {
            usageDate = ChooseUsageDate(group, facts);
            if (usageDate is null)
            {
                return new(SubmissionStatus.Held, $"every second of the bucket from {UtcText.Format(group.BucketStart!.Value)} already has a usage for this subscription and item price", null);
            }
        }

        var limit = value == "amount" ? job.MaxAmountPerSubmission : job.MaxQuantityPerSubmission;
        if (limit is { } max && total > max)
        {
            var key = value == "amount" ? "maxAmountPerSubmission" : "maxQuantityPerSubmission";
            return new(SubmissionStatus.Held,
                $"{value} {DecimalText.Format(total)} is above the job's {key} ({DecimalText.Format(max)}); check the rows, then `usagebatch requeue --submission {group.SubmissionId}` to send it",
                usageDate);
        }

        return account.Kind == ProviderKind.Whop ? DecideWhop(total, value) : DecideChargebee(group, facts, total, usageDate!.Value);
    }

    private static GroupDecision DecideWhop(decimal total, string value) =>
        DecimalText.SurvivesDouble(total)
            ? new(SubmissionStatus.Prepared, null, null)
            : new(SubmissionStatus.Rejected, $"the group's {value} {DecimalText.Format(total)} has more significant digits than Whop's JSON numbers carry exactly", null);

    private GroupDecision DecideChargebee(ClaimedGroup group, GroupFacts facts, decimal total, DateTimeOffset usageDate)
    {
        if (DecimalText.Format(total).Length > ChargebeeQuantityMaxLength)
        {
            return new(SubmissionStatus.Rejected, $"the group's quantity {DecimalText.Format(total)} is longer than Chargebee's {ChargebeeQuantityMaxLength} characters", null);
        }

        if (facts.UsagesCountedTowardCap + 1 > account.UsageCap)
        {
            return new(SubmissionStatus.Held,
                $"subscription {group.Target.CustomerId} already has {facts.UsagesCountedTowardCap} usages from this job; one more passes Chargebee's cap of {account.UsageCap}. Ask Chargebee to raise it, set usageCap, then requeue",
                usageDate);
        }

        return new(SubmissionStatus.Prepared, null, usageDate);
    }

    /// <summary>
    /// One usage per (subscription, item price, usage_date): the group's last second, stepped back past the dates our
    /// ledger already used, never leaving the bucket. Null when the bucket has no free second.
    /// </summary>
    private static DateTimeOffset? ChooseUsageDate(ClaimedGroup group, GroupFacts facts)
    {
        var date = UtcText.WholeSeconds(group.LastOccurredAt!.Value);
        while (facts.UsedUsageDates.Contains(date))
        {
            date = date.AddSeconds(-1);
        }

        return date < group.BucketStart ? null : date;
    }
}
